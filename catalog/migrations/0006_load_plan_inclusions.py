from django.db import migrations


def forwards(apps, schema_editor):
    from catalog.loader import load_plan_inclusions

    load_plan_inclusions({"ServicePlan": apps.get_model("catalog", "ServicePlan")})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_service_plan_includes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
