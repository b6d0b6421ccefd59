"""Background work for privacy. Tasks are queued after the transaction commits and are safe to run twice."""

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from attunement.learners.models import Learner
from attunement.organisations.audit import audit_system

from .hooks import withdrawal_handlers
from .models import Consent, Purpose


@task()
def media_withdrawn_consent_cleanup(learner_id: int, purpose: str) -> dict:
    """Delete the media a withdrawn consent no longer covers.

    The media is already hidden: everything that shows or uses media asks `consent_allows` first. This
    task does the deleting, through the handlers other apps register in `privacy.hooks`. If consent was
    given again before the task ran, or a legal hold is in place, nothing is deleted. It records what it
    checked on the withdrawn consents and in the audit.
    """
    from .selectors import consent_allows

    if purpose not in Purpose.values:
        return {"checked": False, "reason": "unknown purpose"}
    learner = Learner.objects.filter(pk=learner_id).first()
    if learner is None:
        return {"checked": False, "reason": "the person's records no longer exist"}
    if consent_allows(learner, purpose):
        return {"checked": False, "reason": "consent has been given again"}
    if learner.legal_holds.filter(lifted_at__isnull=True).exists():
        # Kept, still hidden, while the hold lasts; lifting the hold queues this clean-up again.
        return {"checked": False, "reason": "a legal hold is in place"}
    removed = sum(handler(learner_id, purpose) or 0 for handler in withdrawal_handlers())
    withdrawn = Consent.objects.filter(learner_id=learner_id, purpose=purpose, withdrawn_on__isnull=False)
    latest = withdrawn.order_by("-withdrawn_recorded_at", "-pk").first()
    now = timezone.now()
    for consent in withdrawn.filter(media_checked_at__isnull=True):
        consent.media_checked_at = now
        consent.media_items_removed = 0
        consent.save(update_fields=["media_checked_at", "media_items_removed"])
    if latest is not None:
        Consent.objects.filter(pk=latest.pk).update(
            media_checked_at=now, media_items_removed=F("media_items_removed") + removed
        )
    audit_system(
        organisation_id=learner.organisation_id,
        action="consent.media_cleanup_checked",
        learner_id=learner_id,
        target=latest,
    )
    return {"checked": True, "handlers": len(withdrawal_handlers()), "removed": removed}
