"""Sessions are flagged as holding something never seen before only when they hold a real first: a behaviour
marked new that was not recorded for the same person before (see attunement.practice.novelty)."""

from django.db import migrations


def flag_only_real_firsts(apps, schema_editor):
    from attunement.practice.novelty import first_ids

    Session = apps.get_model("practice", "Session")
    ObservedBehaviour = apps.get_model("practice", "ObservedBehaviour")
    learner_ids = Session.objects.values_list("learner_id", flat=True).distinct()
    for learner_id in list(learner_ids):
        rows = (
            ObservedBehaviour.objects.filter(session__learner_id=learner_id, session__withdrawn_at__isnull=True)
            .order_by("session__started_at", "session_id", "pk")
            .values_list("pk", "session__learner_id", "description", "novelty")
        )
        firsts = first_ids(rows)
        holding = set(ObservedBehaviour.objects.filter(pk__in=firsts).values_list("session_id", flat=True))
        sessions = Session.objects.filter(learner_id=learner_id, withdrawn_at__isnull=True)
        sessions.filter(pk__in=holding).update(has_new_behaviour=True)
        sessions.exclude(pk__in=holding).update(has_new_behaviour=False)


class Migration(migrations.Migration):
    dependencies = [("practice", "0007_family_forms_save_once")]

    operations = [migrations.RunPython(flag_only_real_firsts, migrations.RunPython.noop)]
