"""Organisations that have no ethogram get the Intensive Interaction one: it used to be put in when a page first
read it, and now comes with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults_to_every_organisation
from attunement.codings.services import default_ethogram_codes


class Migration(migrations.Migration):
    dependencies = [("reflection", "0006_analysis_run_chosen")]

    operations = [add_defaults_to_every_organisation("reflection.EthogramCode", default_ethogram_codes)]
