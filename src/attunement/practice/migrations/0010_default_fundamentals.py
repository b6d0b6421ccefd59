"""Organisations that have no Fundamentals get the default list: they used to be put in when a page first read
them, and now come with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults_to_every_organisation
from attunement.practice.vocabulary import default_fundamentals


class Migration(migrations.Migration):
    dependencies = [("practice", "0009_withdrawn_record_brought_back")]

    operations = [add_defaults_to_every_organisation("practice.Fundamental", default_fundamentals)]
