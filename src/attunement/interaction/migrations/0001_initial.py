"""Runs of the interaction analysis move out of the videos app: the model is this app's from now on, its table
keeps its name (reflection_videoanalysis), so no row moves. Only Django's record of the model changes;
reflection/0008 forgets it there."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("reflection", "0007_default_ethogram")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="VideoAnalysis",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveSmallIntegerField(
                                default=0, help_text="How many times the work has been started."
                            ),
                        ),
                        (
                            "queued_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, help_text="When the work was last put in the queue."
                            ),
                        ),
                        (
                            "heartbeat_at",
                            models.DateTimeField(
                                blank=True, help_text="The last sign of life from the work.", null=True
                            ),
                        ),
                        ("preset", models.CharField(default="standard", max_length=20)),
                        (
                            "learner_region",
                            models.CharField(blank=True, help_text="X,Y,W,H in the proxy's pixels.", max_length=60),
                        ),
                        (
                            "partner_region",
                            models.CharField(blank=True, help_text="X,Y,W,H in the proxy's pixels.", max_length=60),
                        ),
                        (
                            "learner_voice",
                            models.CharField(
                                default="higher",
                                help_text="Whether the person supported is suggested as the higher or lower voice.",
                                max_length=10,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Waiting to start"),
                                    ("running", "Being measured"),
                                    ("done", "Done"),
                                    ("failed", "Could not be measured"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("progress", models.FloatField(default=0.0)),
                        ("problem", models.CharField(blank=True, max_length=500)),
                        ("engine_version", models.CharField(blank=True, max_length=20)),
                        ("results", models.JSONField(blank=True, null=True)),
                        (
                            "speaker_corrections",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="Segment number → 'learner' or 'partner', as corrected by a reviewer.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "chosen_at",
                            models.DateTimeField(blank=True, help_text="When this run was chosen to count.", null=True),
                        ),
                        (
                            "chosen_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="organisations.membership",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="organisations.membership",
                            ),
                        ),
                        (
                            "video",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="analyses",
                                to="reflection.sessionvideo",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reflection_videoanalysis",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
            ],
        ),
    ]
