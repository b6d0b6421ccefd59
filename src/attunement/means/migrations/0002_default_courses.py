"""Organisations that have no training list get the default one: it used to be put in when a page first read it,
and now comes with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults_to_every_organisation
from attunement.means.catalogue import default_courses


class Migration(migrations.Migration):
    dependencies = [("means", "0001_initial")]

    operations = [add_defaults_to_every_organisation("means.Course", default_courses)]
