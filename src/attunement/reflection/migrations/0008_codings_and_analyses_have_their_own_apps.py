"""Codings (codings/0001) and runs of the interaction analysis (interaction/0001) are now their own apps' models,
kept in the same tables: Django forgets them here without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reflection", "0007_default_ethogram"),
        ("codings", "0001_initial"),
        ("interaction", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CodingEvent"),
                migrations.DeleteModel(name="CodingPass"),
                migrations.DeleteModel(name="EthogramCode"),
                migrations.DeleteModel(name="VideoAnalysis"),
            ],
        ),
    ]
