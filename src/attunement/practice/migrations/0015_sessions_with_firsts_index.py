"""An index of each person's sessions that count and hold a first, by time: About me reads a person's latest
firsts from it without walking their whole history. SQLite's planner is given statistics again so that it
chooses it."""

from django.db import migrations, models


def gather_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


class Migration(migrations.Migration):
    dependencies = [("practice", "0014_current_sessions_index_with_figures")]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("has_new_behaviour", True), ("withdrawn_at__isnull", True)),
                fields=["learner", "started_at"],
                name="practice_session_firsts",
            ),
        ),
        migrations.RunPython(gather_statistics, migrations.RunPython.noop),
    ]
