"""Every kind of file the content checks know is allowed to start with; administrators switch them off in the admin."""

from django.db import migrations

KINDS = ["pdf", "jpeg", "png", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "odt", "ods", "odp", "txt", "csv"]


def allow_all(apps, schema_editor):
    FileKind = apps.get_model("attachments", "FileKind")
    for code in KINDS:
        FileKind.objects.get_or_create(code=code, defaults={"allowed": True})


class Migration(migrations.Migration):
    dependencies = [("attachments", "0001_files")]

    operations = [migrations.RunPython(allow_all, migrations.RunPython.noop)]
