"""Status events, flags and the sweep's runs and lease now belong to reporting (its 0015): state only, the
tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0006_system_no_central'),
        ('reporting', '0015_entry_life_moves_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(model_name='statusevent', name='by'),
            migrations.RemoveField(model_name='statusevent', name='entry'),
            migrations.RemoveField(model_name='sweeplease', name='holder'),
            migrations.RemoveField(model_name='sweeprun', name='by'),
            migrations.DeleteModel(name='Flag'),
            migrations.DeleteModel(name='StatusEvent'),
            migrations.DeleteModel(name='SweepLease'),
            migrations.DeleteModel(name='SweepRun'),
        ], database_operations=[]),
    ]
