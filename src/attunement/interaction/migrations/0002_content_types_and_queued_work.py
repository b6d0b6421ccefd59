"""The moved model's content type follows it (app label reflection → interaction), so its permissions and the
admin's history of changes to it stay attached; and measurements waiting in the task queue name the task where
it now lives."""

from django.db import migrations

from attunement.reflection.moved_models import content_types_moved, queued_tasks_moved


class Migration(migrations.Migration):
    dependencies = [
        ("interaction", "0001_initial"),
        ("reflection", "0008_codings_and_analyses_have_their_own_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        content_types_moved("reflection", "interaction", ("videoanalysis",)),
        queued_tasks_moved("attunement.reflection.tasks.video_analyse", "attunement.interaction.tasks.video_analyse"),
    ]
