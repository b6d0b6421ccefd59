"""Classes and groups (an organisation's list, optionally per site), a person's class, and a person's identifier
(such as a UPN), unique in the organisation when given."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0004_shown_name_index"),
        ("organisations", "0004_correction_window_and_audit_detail"),
    ]

    operations = [
        migrations.AddField(
            model_name="learner",
            name="identifier",
            field=models.CharField(
                blank=True,
                help_text="A number your records use for them, such as a UPN. Optional; no two people share one.",
                max_length=50,
            ),
        ),
        migrations.CreateModel(
            name="Group",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="groups",
                        to="organisations.organisation",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="groups",
                        to="organisations.site",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="learner",
            name="group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="learners",
                to="learners.group",
                verbose_name="class or group",
            ),
        ),
        migrations.AddConstraint(
            model_name="learner",
            constraint=models.UniqueConstraint(
                condition=models.Q(("identifier", ""), _negated=True),
                fields=("organisation", "identifier"),
                name="one_identifier_per_organisation",
            ),
        ),
    ]
