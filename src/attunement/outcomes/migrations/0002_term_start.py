"""An organisation's own term start dates. None are added: with none, the usual three terms apply as before."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_correction_window_and_audit_detail"),
        ("outcomes", "0001_case_study_release"),
    ]

    operations = [
        migrations.CreateModel(
            name="TermStart",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_on", models.DateField()),
                ("name", models.CharField(blank=True, help_text="Optional, for example: Autumn 2026.", max_length=60)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="term_starts",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["starts_on"],
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "starts_on"), name="one_term_start_per_day")
                ],
            },
        ),
    ]
