from django.db import migrations


def forwards(apps, schema_editor):
    from catalog.loader import load_catalog

    names = ["ServiceFamily", "ServicePlan", "Offer", "OfferPrice", "UpgradePath", "DirectOption"]
    load_catalog({name: apps.get_model("catalog", name) for name in names})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
