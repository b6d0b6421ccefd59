"""An index of each session's behaviours by key: the quick log's "Seen before" hints count a person's behaviours
from it alone, walking their sessions, instead of PostgreSQL reading every organisation's behaviours."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('practice', '0015_sessions_with_firsts_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='observedbehaviour',
            index=models.Index(fields=['session', 'key'], name='practice_behaviour_key'),
        ),
    ]
