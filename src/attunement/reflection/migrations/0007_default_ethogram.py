"""Organisations that have no ethogram get the Intensive Interaction one: it used to be put in when a page first
read it, and now comes with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults
from attunement.reflection.services import default_ethogram_codes


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    EthogramCode = apps.get_model("reflection", "EthogramCode")
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        add_defaults(EthogramCode, organisation_id, default_ethogram_codes())


class Migration(migrations.Migration):
    dependencies = [("reflection", "0006_analysis_run_chosen")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
