"""The moved models' content types follow them (app label reflection → codings), so their permissions and the
admin's history of changes to them stay attached."""

from django.db import migrations

from attunement.reflection.moved_models import content_types_moved

MODELS = ("ethogramcode", "codingpass", "codingevent")


class Migration(migrations.Migration):
    dependencies = [
        ("codings", "0001_initial"),
        ("reflection", "0008_codings_and_analyses_have_their_own_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [content_types_moved("reflection", "codings", MODELS)]
