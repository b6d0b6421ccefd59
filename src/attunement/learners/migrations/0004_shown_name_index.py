"""An index of each person's shown name (lower-cased: the preferred name, else the first name) by organisation,
so a page finds the others the reader sees who go by the same name without reading everyone (learners.naming)."""

import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0003_learner_left_on"),
        ("organisations", "0004_correction_window_and_audit_detail"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="learner",
            index=models.Index(
                models.F("organisation"),
                django.db.models.functions.text.Lower(
                    django.db.models.functions.comparison.Coalesce(
                        models.Func(models.F("preferred_name"), template="NULLIF(%(expressions)s, '')"),
                        models.F("first_name"),
                    )
                ),
                name="learners_shown_name",
            ),
        ),
    ]
