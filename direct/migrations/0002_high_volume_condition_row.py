"""The high-volume condition is one switch: create its row (off) so operators change it in the admin."""
from django.db import migrations


def create_switch(apps, schema_editor):
    HighVolumeCondition = apps.get_model("direct", "HighVolumeCondition")
    if not HighVolumeCondition.objects.exists():
        HighVolumeCondition.objects.create(active=False, note="")


class Migration(migrations.Migration):

    dependencies = [
        ("direct", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_switch, migrations.RunPython.noop),
    ]
