"""An index of the sessions that count (not withdrawn) by person and time, for the figures of a period; SQLite's
planner is given statistics so that it prefers it to the index of withdrawn sessions."""

from django.db import migrations, models


def gather_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


class Migration(migrations.Migration):
    dependencies = [("practice", "0011_behaviour_keys_and_firsts")]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=["learner", "started_at"],
                name="practice_session_current",
            ),
        ),
        migrations.RunPython(gather_statistics, migrations.RunPython.noop),
    ]
