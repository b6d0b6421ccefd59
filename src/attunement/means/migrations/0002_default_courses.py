"""Organisations that have no training list get the default one: it used to be put in when a page first read it,
and now comes with the organisation's set-up."""

from django.db import migrations

from attunement.catalogue.defaults import add_defaults
from attunement.means.catalogue import default_courses


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Course = apps.get_model("means", "Course")
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        add_defaults(Course, organisation_id, default_courses())


class Migration(migrations.Migration):
    dependencies = [("means", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
