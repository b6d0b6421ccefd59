"""Codings move out of the videos app: the models are this app's from now on, their tables keep their names
(reflection_ethogramcode, reflection_codingpass, reflection_codingevent), so no row moves. Only Django's record
of the models changes; reflection/0008 forgets them there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reflection", "0007_default_ethogram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CodingPass",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("boris", "imported BORIS"),
                                    ("elan", "imported ELAN"),
                                    ("csv", "imported CSV"),
                                    ("entered", "entered"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "media_duration",
                            models.FloatField(blank=True, help_text="Seconds of video coded, when known.", null=True),
                        ),
                        ("complete", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "coder",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="coding_passes",
                                to="practice.session",
                            ),
                        ),
                        (
                            "video",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="coding_passes",
                                to="reflection.sessionvideo",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reflection_codingpass",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="CodingEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("time", models.FloatField()),
                        ("end", models.FloatField(blank=True, null=True)),
                        ("code", models.CharField(max_length=200)),
                        ("subject", models.CharField(blank=True, max_length=200)),
                        (
                            "modifiers",
                            models.TextField(
                                blank=True, help_text="Modifier values joined with '|', as BORIS writes them."
                            ),
                        ),
                        ("comment", models.TextField(blank=True)),
                        (
                            "coding_pass",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="codings.codingpass",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reflection_codingevent",
                        "ordering": ["time", "pk"],
                        "indexes": [
                            models.Index(fields=["coding_pass", "time"], name="reflection__coding__809ba8_idx")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EthogramCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        ("retired_at", models.DateTimeField(blank=True, null=True)),
                        ("key", models.CharField(max_length=40)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "subject",
                            models.CharField(
                                choices=[("learner", "The learner"), ("partner", "The partner")], max_length=10
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("point", "A moment (point)"), ("state", "Lasts a while (state)")],
                                default="point",
                                max_length=10,
                            ),
                        ),
                        ("shortcut", models.CharField(blank=True, max_length=1)),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ethogram_codes",
                                to="organisations.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reflection_ethogramcode",
                        "ordering": ["position", "pk"],
                        "abstract": False,
                        "constraints": [
                            models.UniqueConstraint(fields=("organisation", "key"), name="unique_ethogram_code_key"),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("retired_at__isnull", True), models.Q(("shortcut", ""), _negated=True)
                                ),
                                fields=("organisation", "shortcut"),
                                name="unique_ethogram_shortcut_in_use",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
