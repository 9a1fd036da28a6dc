from django.db import migrations


def forwards(apps, schema_editor):
    from catalog.loader import load_commerce

    load_commerce({name: apps.get_model("catalog", name) for name in ("CommerceProduct", "CommercePrice")})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_commerce")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
