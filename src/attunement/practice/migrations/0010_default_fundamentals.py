"""Organisations that have no Fundamentals get the default list: they used to be put in when a page first read
them, and now come with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults
from attunement.practice.vocabulary import default_fundamentals


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Fundamental = apps.get_model("practice", "Fundamental")
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        add_defaults(Fundamental, organisation_id, default_fundamentals())


class Migration(migrations.Migration):
    dependencies = [("practice", "0009_withdrawn_record_brought_back")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
