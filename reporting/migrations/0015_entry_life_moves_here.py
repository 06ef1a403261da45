"""The Entry's status events, "new data" flags and the deadline sweep's runs and lease move here from
certification, state only: the tables keep their names (Meta.db_table), so no row moves and no table is
rewritten. Their content types follow, so permissions and admin history keep pointing at them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["statusevent", "flag", "sweeprun", "sweeplease"]


def content_types_follow(apps, schema_editor, old="certification", new="reporting"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_go_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="reporting", new="certification")


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0014_held_values_read_back'),
        ('certification', '0006_system_no_central'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='SweepRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('started_at', models.DateTimeField(verbose_name='เริ่มเมื่อ')),
                    ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='เสร็จเมื่อ')),
                    ('trigger', models.CharField(choices=[('beat', 'ตามกำหนดเวลา (Celery beat)'), ('button', 'ผู้ดูแลระบบกดปุ่ม'), ('command', 'คำสั่ง run_deadline_sweep')], max_length=10, verbose_name='สั่งโดย')),
                    ('outcome', models.CharField(choices=[('running', 'กำลังทำงาน'), ('done', 'เสร็จ'), ('failed', 'มีข้อผิดพลาด'), ('skipped', 'ข้าม (มีรอบอื่นกำลังทำงาน)')], default='running', max_length=10, verbose_name='ผล')),
                    ('steps', models.JSONField(blank=True, default=list, verbose_name='สิ่งที่เปลี่ยน')),
                    ('changed', models.PositiveIntegerField(default=0, verbose_name='จำนวนที่เปลี่ยน')),
                    ('errors', models.TextField(blank=True, verbose_name='ข้อผิดพลาด')),
                    ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ผู้สั่ง')),
                ],
                options={
                    'verbose_name': 'การทำงานตามกำหนดเวลา',
                    'verbose_name_plural': 'การทำงานตามกำหนดเวลา',
                    'db_table': 'certification_sweeprun',
                    'ordering': ['-started_at', '-pk'],
                },
            ),
            migrations.CreateModel(
                name='SweepLease',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('expires_at', models.DateTimeField(blank=True, null=True)),
                    ('holder', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reporting.sweeprun')),
                ],
                options={
                    'verbose_name': 'สิทธิ์การทำงานตามกำหนดเวลา',
                    'verbose_name_plural': 'สิทธิ์การทำงานตามกำหนดเวลา',
                    'db_table': 'certification_sweeplease',
                },
            ),
            migrations.CreateModel(
                name='Flag',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('for_side', models.CharField(choices=[('district', 'สพท.'), ('bureau', 'สำนัก')], max_length=10, verbose_name='แจ้งถึง')),
                    ('reason', models.CharField(choices=[('file', 'ไฟล์ใหม่'), ('message', 'ข้อความใหม่'), ('corrected', 'แก้ไขข้อมูลหลังไม่รับรอง'), ('rejected', 'ไม่รับรอง')], max_length=12, verbose_name='เรื่อง')),
                    ('raised_at', models.DateTimeField(verbose_name='เมื่อ')),
                    ('seen_at', models.DateTimeField(blank=True, null=True, verbose_name='เปิดดูเมื่อ')),
                    ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags', to='reporting.entry', verbose_name='รายการรายงานผล')),
                    ('raised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='จาก')),
                    ('seen_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='เปิดดูโดย')),
                ],
                options={
                    'verbose_name': 'การแจ้งข้อมูลใหม่',
                    'verbose_name_plural': 'การแจ้งข้อมูลใหม่',
                    'db_table': 'certification_flag',
                    'ordering': ['-raised_at', '-pk'],
                    'indexes': [models.Index(fields=['entry', 'for_side', 'seen_at'], name='flag_entry_side_seen')],
                },
            ),
            migrations.CreateModel(
                name='StatusEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('from_status', models.CharField(choices=[('not_reported', 'ยังไม่รายงานผล'), ('awaiting', 'รอการรับรองผล'), ('rejected', 'ไม่รับรอง'), ('certified', 'รับรองผล'), ('system_unreported', 'ไม่รายงานผลตามกำหนด (ระบบให้คะแนน)'), ('system_unfixed', 'ไม่แก้ไขตามกำหนด (ระบบให้คะแนน)'), ('system_no_central', 'ไม่มีข้อมูลส่วนกลางตามกำหนด (ระบบให้คะแนน)')], max_length=20, verbose_name='จากสถานะ')),
                    ('to_status', models.CharField(choices=[('not_reported', 'ยังไม่รายงานผล'), ('awaiting', 'รอการรับรองผล'), ('rejected', 'ไม่รับรอง'), ('certified', 'รับรองผล'), ('system_unreported', 'ไม่รายงานผลตามกำหนด (ระบบให้คะแนน)'), ('system_unfixed', 'ไม่แก้ไขตามกำหนด (ระบบให้คะแนน)'), ('system_no_central', 'ไม่มีข้อมูลส่วนกลางตามกำหนด (ระบบให้คะแนน)')], max_length=20, verbose_name='เป็นสถานะ')),
                    ('at', models.DateTimeField(verbose_name='เมื่อ')),
                    ('comment', models.TextField(blank=True, verbose_name='ความเห็น')),
                    ('by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='โดย')),
                    ('entry', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='status_events', to='reporting.entry', verbose_name='รายการรายงานผล')),
                ],
                options={
                    'verbose_name': 'การเปลี่ยนสถานะ',
                    'verbose_name_plural': 'การเปลี่ยนสถานะ',
                    'db_table': 'certification_statusevent',
                    'ordering': ['entry', '-at', '-pk'],
                    'indexes': [models.Index(fields=['entry', 'at'], name='status_event_entry_at')],
                },
            ),
            migrations.AddIndex(
                model_name='sweeprun',
                index=models.Index(fields=['-started_at'], name='sweep_run_started'),
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
