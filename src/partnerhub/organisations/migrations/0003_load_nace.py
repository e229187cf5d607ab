"""Loads the NACE Rev. 2 classification (German, English and Chinese labels) shipped in data/."""

from django.db import migrations


def load_nace(apps, schema_editor):
    from partnerhub.organisations import nace

    nace.load(apps.get_model("organisations", "NaceActivity"))


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_initial")]
    operations = [migrations.RunPython(load_nace, migrations.RunPython.noop)]
