"""The index of the sessions that count holds the figures the dashboard adds up (minutes, enjoyment, whether
something was seen for the first time), so a period's figures are read from the index alone; SQLite's planner
is given statistics again so that it keeps choosing it."""

from django.db import migrations, models


def gather_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


class Migration(migrations.Migration):
    dependencies = [("practice", "0013_withdrawn_at_without_index")]

    operations = [
        migrations.RemoveIndex(model_name="session", name="practice_session_current"),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=["learner", "started_at", "minutes", "enjoyment", "has_new_behaviour"],
                name="practice_session_current",
            ),
        ),
        migrations.RunPython(gather_statistics, migrations.RunPython.noop),
    ]
