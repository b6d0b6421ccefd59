"""Each observed behaviour keeps which behaviour it is (its key) and whether it is a real first for the person, so
that pages read the few firsts instead of working them out from the person's whole history on every request.
Existing records are filled by the same rule the pages used (attunement.practice.novelty)."""

from collections import defaultdict

from django.db import migrations, models
from django.db.models import Exists, OuterRef

BATCH = 900  # ids per statement, within every database's limit on parameters


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def fill_keys_and_firsts(apps, schema_editor):
    from attunement.practice.novelty import behaviour_key, first_ids

    ObservedBehaviour = apps.get_model("practice", "ObservedBehaviour")
    Session = apps.get_model("practice", "Session")

    by_key = defaultdict(list)
    keys_of: dict[str, str] = {}
    for pk, description in ObservedBehaviour.objects.values_list("pk", "description").iterator(chunk_size=5000):
        if description not in keys_of:
            keys_of[description] = behaviour_key(description)
        by_key[keys_of[description]].append(pk)
    for key, pks in by_key.items():
        for batch in _batches(pks):
            ObservedBehaviour.objects.filter(pk__in=batch).update(key=key)

    rows = (
        ObservedBehaviour.objects.filter(session__withdrawn_at__isnull=True)
        .order_by("session__started_at", "session_id", "pk")
        .values_list("pk", "session__learner_id", "key", "novelty")
        .iterator(chunk_size=5000)
    )
    firsts = sorted(first_ids(rows, key=str))
    for batch in _batches(firsts):
        ObservedBehaviour.objects.filter(pk__in=batch).update(is_first=True)
    Session.objects.filter(withdrawn_at__isnull=True).update(
        has_new_behaviour=Exists(ObservedBehaviour.objects.filter(session_id=OuterRef("pk"), is_first=True))
    )


class Migration(migrations.Migration):
    dependencies = [("practice", "0010_default_fundamentals")]

    operations = [
        migrations.AddField(
            model_name="observedbehaviour",
            name="key",
            field=models.CharField(blank=True, db_default=None, editable=False, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="observedbehaviour",
            name="is_first",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="observedbehaviour",
            index=models.Index(
                condition=models.Q(("is_first", True)), fields=["session"], name="practice_behaviour_first"
            ),
        ),
        migrations.RunPython(fill_keys_and_firsts, migrations.RunPython.noop),
    ]
