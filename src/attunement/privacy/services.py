"""Every change to consent and legal holds. Each checks permission through a policy, explains bad input in
plain words (ValidationError), runs in one transaction and leaves an audit entry. (The subject access export,
erasure and retention are in `attunement.records`.)"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attunement.learners.models import Learner
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership

from . import consent_rules
from .dates import add_years
from .models import Consent, GivenBy, LegalHold, Purpose
from .policies import consent_policy

LONGEST_REVIEW_YEARS = 5


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# --- Consent ---------------------------------------------------------------------------------------------


# The Mental Capacity Act 2005 (England and Wales) applies from the age of 16: for a younger child, a parent or
# guardian decides (or the child, if they are competent), never a best-interests decision.
MCA_MINIMUM_AGE = 16


def _under_mca_age(learner: Learner, on: date) -> int | None:
    """The person's age on `on` when it is under the MCA's minimum age, else None (also when the date of birth
    is not recorded: the form then cannot tell, and the decision-maker is trusted)."""
    born = learner.date_of_birth
    if born is None or on < born:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age if age < MCA_MINIMUM_AGE else None


def validate_consent(
    *,
    learner: Learner,
    purpose: str,
    given_by: str,
    giver_name: str,
    decision_maker_role: str,
    note: str,
    starts_on: date | None,
    review_on: date | None,
) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if purpose not in Purpose.values:
        errors["purpose"] = "Please choose what the consent is for from the list."
    if given_by not in GivenBy.values:
        errors["given_by"] = "Please choose who gave consent from the list."
    elif given_by == GivenBy.PARENT and not giver_name:
        errors["giver_name"] = "Please give the name of the parent or guardian who gave consent."
    elif given_by == GivenBy.BEST_INTERESTS:
        too_young = _under_mca_age(learner, starts_on or today)
        if too_young is not None:
            errors["given_by"] = (
                f"{learner.display_name} was {too_young} on that date. A best-interests decision under the Mental "
                f"Capacity Act can only be made for someone aged {MCA_MINIMUM_AGE} or over. For a child under "
                f"{MCA_MINIMUM_AGE}, consent comes from a parent or guardian, or from the child if they understand "
                "what they are agreeing to."
            )
        if not giver_name:
            errors["giver_name"] = "Please give the name of the person who made the best-interests decision."
        if not decision_maker_role:
            errors["decision_maker_role"] = (
                "Please give the decision-maker's role, for example: care manager, social worker or headteacher."
            )
    if len(giver_name) > 120:
        errors["giver_name"] = "Please keep the name under 120 characters."
    if len(decision_maker_role) > 120:
        errors["decision_maker_role"] = "Please keep the role under 120 characters."
    if len(note) > 500:
        errors["note"] = "Please keep the note under 500 characters."
    if starts_on is None:
        errors["starts_on"] = "Please give the date the consent starts."
    elif starts_on > add_years(today, 1):
        errors["starts_on"] = "The start date is more than a year away. Please check it."
    elif learner.date_of_birth and starts_on < learner.date_of_birth:
        errors["starts_on"] = "The start date is before the person was born. Please check it."
    if review_on is None:
        errors["review_on"] = "Please give a date to review this consent by."
    elif starts_on is not None and review_on <= starts_on:
        errors["review_on"] = "The review date must be after the start date."
    elif starts_on is not None and review_on > add_years(starts_on, LONGEST_REVIEW_YEARS):
        errors["review_on"] = (
            f"Please choose a review date within {LONGEST_REVIEW_YEARS} years of the start: "
            "consent should be checked at least that often."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_record(
    *,
    actor: Membership,
    learner: Learner,
    purpose: str,
    given_by: str,
    starts_on: date | None,
    review_on: date | None,
    giver_name: str = "",
    decision_maker_role: str = "",
    note: str = "",
) -> Consent:
    """Record a new consent. It replaces any earlier consent for the same purpose from its start date."""
    learner_policy.require(actor, "record_consent", learner)
    giver_name, decision_maker_role, note = _one_line(giver_name), _one_line(decision_maker_role), (note or "").strip()
    if given_by != GivenBy.BEST_INTERESTS:
        decision_maker_role = ""
    if given_by == GivenBy.PERSON:
        giver_name = ""
    validate_consent(
        learner=learner,
        purpose=purpose,
        given_by=given_by,
        giver_name=giver_name,
        decision_maker_role=decision_maker_role,
        note=note,
        starts_on=starts_on,
        review_on=review_on,
    )
    consent = Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by=given_by,
        giver_name=giver_name,
        decision_maker_role=decision_maker_role,
        note=note,
        starts_on=starts_on,
        review_on=review_on,
        recorded_by_id=actor.user_id,
    )
    audit_record(actor=actor, action="consent.recorded", learner=learner, target=consent)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Membership, consent: Consent, withdrawn_on: date | None, note: str = ""
) -> list[Consent]:
    """Withdraw a consent, and any consent for the same purpose that was due to start after it.

    The purpose stops being allowed from `withdrawn_on` (so `consent_allows` hides media at once), and
    after the transaction commits the clean-up task is queued to delete media the purpose no longer covers.
    """
    consent_policy.require(actor, "withdraw", consent)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    today = timezone.localdate()
    note = (note or "").strip()
    records = list(Consent.objects.select_for_update().filter(learner_id=consent.learner_id, purpose=consent.purpose))
    if consent.is_withdrawn:
        raise ValidationError(f"This consent was already withdrawn on {consent.withdrawn_on:%-d %B %Y}.")
    if consent_rules.status_of(consent, records, today) == consent_rules.Status.REPLACED:
        raise ValidationError(
            "A later consent for the same purpose has replaced this one. Withdraw the current consent instead."
        )
    if withdrawn_on is None:
        raise ValidationError({"withdrawn_on": "Please give the date consent was withdrawn."})
    if withdrawn_on > today:
        raise ValidationError(
            {"withdrawn_on": "The withdrawal date cannot be in the future: consent stops on the day it is withdrawn."}
        )
    if consent.starts_on <= today and withdrawn_on < consent.starts_on:
        raise ValidationError(
            {
                "withdrawn_on": f"The withdrawal date is before this consent started "
                f"({consent.starts_on:%-d %B %Y}). Please check it."
            }
        )
    if len(note) > 500:
        raise ValidationError({"note": "Please keep the note under 500 characters."})
    order = (consent.starts_on, consent.pk)
    targets = [r for r in records if not r.is_withdrawn and (r.starts_on, r.pk) >= order]
    now = timezone.now()
    for record in targets:
        record.withdrawn_on = max(withdrawn_on, record.starts_on)
        record.withdrawn_recorded_by_id = actor.user_id
        record.withdrawn_recorded_at = now
        record.withdrawal_note = note
        record.save(update_fields=["withdrawn_on", "withdrawn_recorded_by", "withdrawn_recorded_at", "withdrawal_note"])
        audit_record(actor=actor, action="consent.withdrawn", learner=consent.learner, target=record)
    learner_id, purpose = consent.learner_id, consent.purpose
    transaction.on_commit(lambda: _queue_media_cleanup(learner_id, purpose))
    return targets


def _queue_media_cleanup(learner_id: int, purpose: str) -> None:
    from .tasks import media_withdrawn_consent_cleanup

    media_withdrawn_consent_cleanup.enqueue(learner_id=learner_id, purpose=purpose)


# --- Legal hold ------------------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: Membership, learner: Learner, reason: str) -> LegalHold:
    """Stop every deletion of the person's records (retention and erasure) until the hold is lifted."""
    learner_policy.require(actor, "manage_hold", learner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Please say why the records must be kept, for example: a complaint or a claim under way."}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": "Please keep the reason under 500 characters."})
    Learner.objects.select_for_update().filter(pk=learner.pk).first()
    if LegalHold.objects.filter(learner=learner, lifted_at__isnull=True).exists():
        raise ValidationError("There is already a legal hold on this person's records.")
    hold = LegalHold.objects.create(learner=learner, reason=reason, placed_by_id=actor.user_id)
    audit_record(actor=actor, action="legal_hold.placed", learner=learner, target=hold)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: Membership, learner: Learner) -> LegalHold:
    learner_policy.require(actor, "manage_hold", learner)
    hold = LegalHold.objects.select_for_update().filter(learner=learner, lifted_at__isnull=True).first()
    if hold is None:
        raise ValidationError("There is no legal hold on this person's records to lift.")
    hold.lifted_at = timezone.now()
    hold.lifted_by_id = actor.user_id
    hold.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(actor=actor, action="legal_hold.lifted", learner=learner, target=hold)
    _queue_media_cleanups_held_back(learner)
    return hold


def _queue_media_cleanups_held_back(learner: Learner) -> None:
    """Media whose consent was withdrawn during the hold was kept (hidden); now it can go."""
    from .selectors import consent_allows
    from .tasks import media_withdrawn_consent_cleanup

    withdrawn = set(learner.consents.filter(withdrawn_on__isnull=False).values_list("purpose", flat=True))
    for purpose in sorted(withdrawn):
        if not consent_allows(learner, purpose):
            transaction.on_commit(lambda purpose=purpose: media_withdrawn_consent_cleanup.enqueue(learner.pk, purpose))
