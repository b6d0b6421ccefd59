"""Every change to consent, legal holds and retention, and the two actions on a whole person: the
subject access export and erasure. Each checks permission through a policy, explains bad input in
plain words (ValidationError), runs in one transaction and leaves an audit entry."""

from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attunement.edits import edit_token, require_unchanged
from attunement.learners.models import PROFILE_SECTIONS, CommunicationProfile, Learner
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import AuditEntry, Membership

from . import consent_rules
from .dates import add_years
from .export import export_filename, export_zip
from .models import Consent, GivenBy, LegalHold, Purpose, RetentionRun, RetentionSettings
from .policies import consent_policy, retention_policy
from .retention import OrganisationPlan, plans_for_all, security_log_prune, settings_for

LONGEST_REVIEW_YEARS = 5
RETENTION_YEARS_RANGE = (1, 50)


def system_audit(
    *, organisation_id: int | None, action: str, learner_id=None, target=None, target_type="", target_id=None
):
    """An audit entry for work done by the system itself (a scheduled task), with no acting member."""
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=None,
        action=action,
        learner_id=learner_id,
        target_type=type(target).__name__ if target is not None else target_type,
        target_id=getattr(target, "pk", target_id),
    )


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
    learner_policy.require(
        actor, "record_consent", learner, "Only co-ordinators, managers and administrators can record consent."
    )
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
    consent_policy.require(
        actor, "withdraw", consent, "Only co-ordinators, managers and administrators can record a withdrawal."
    )
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
    learner_policy.require(
        actor, "manage_hold", learner, "Only co-ordinators, managers and administrators can place a legal hold."
    )
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
    learner_policy.require(
        actor, "manage_hold", learner, "Only co-ordinators, managers and administrators can lift a legal hold."
    )
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


# --- Subject access --------------------------------------------------------------------------------------


@dataclass
class ExportFile:
    filename: str
    file: IO[bytes]  # a temporary file, open at its start; deleted when closed

    @property
    def content(self) -> bytes:
        self.file.seek(0)
        return self.file.read()


def subject_access_export(*, actor: Membership, learner: Learner) -> ExportFile:
    """A zip of everything held about one person: data.json, summary.html and their media.

    The zip takes seconds to build (the videos are copied into it), so it is built outside any transaction:
    only reads, which never stop anyone else writing. The audit entry is then written in a short one."""
    learner_policy.require(
        actor, "export", learner, "Only co-ordinators and administrators can export everything held about a person."
    )
    archive = export_zip(learner)
    try:
        with transaction.atomic():
            audit_record(actor=actor, action="learner.subject_access_exported", learner=learner, target=learner)
    except BaseException:
        archive.close()
        raise
    return ExportFile(filename=export_filename(learner), file=archive)


# --- Erasure ---------------------------------------------------------------------------------------------


def names_match(typed: str, learner: Learner) -> bool:
    return _one_line(typed).casefold() == _one_line(learner.full_name).casefold()


def _erase_person(learner: Learner, *, organisation_id: int, actor_user_id: int | None, action: str) -> AuditEntry:
    """Delete the person, everything about them, and every audit entry that names them; then leave one
    entry that says an erasure happened. It keeps the old record number, not the name, so an erasure
    can be applied again if an older backup is ever restored. Files are removed once the transaction commits."""
    learner_id = learner.pk
    files = [(learner.photo.storage, learner.photo.name)] if learner.photo else []
    AuditEntry.objects.filter(Q(learner_id=learner_id) | Q(target_type="Learner", target_id=learner_id)).delete()
    _forget_admin_history(learner)
    learner.delete()
    entry = AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor_id=actor_user_id,
        action=action,
        learner_id=None,
        target_type="Learner",
        target_id=learner_id,
    )
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return entry


def _forget_admin_history(learner: Learner) -> None:
    """The admin keeps its own change history, whose descriptions can carry the person's name (for example
    "Sam works with Mina"): remove the entries about the person and their links too."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from attunement.learners.models import Assignment

    for model, ids in (
        (Learner, [learner.pk]),
        (Assignment, list(learner.assignments.values_list("pk", flat=True))),
    ):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).delete()


def learner_erase(*, actor: Membership, learner: Learner, typed_name: str) -> AuditEntry:
    """Erase one person completely, after their full name has been typed to confirm.

    Their coding events, which can number hundreds of thousands, are deleted first in short transactions; the
    rest goes in one, after the checks are made again."""
    learner_policy.require(
        actor, "erase", learner, "Only co-ordinators and administrators can erase a person's records."
    )
    _check_erasable(learner, typed_name)
    _delete_coding_events_of(learner.pk)
    with transaction.atomic():
        learner = Learner.objects.select_for_update().get(pk=learner.pk)
        _check_erasable(learner, typed_name)
        return _erase_person(
            learner, organisation_id=learner.organisation_id, actor_user_id=actor.user_id, action="learner.erased"
        )


CODING_EVENTS_BATCH = 2000


def _delete_coding_events_of(learner_id: int) -> None:
    from attunement.reflection.models import CodingEvent

    _delete_in_batches(
        CodingEvent.objects.filter(coding_pass__session__learner_id=learner_id), batch=CODING_EVENTS_BATCH
    )


def _check_erasable(learner: Learner, typed_name: str) -> None:
    if LegalHold.objects.filter(learner=learner, lifted_at__isnull=True).exists():
        raise ValidationError(
            "There is a legal hold on this person's records, so nothing can be erased. "
            "The hold must be lifted first, once the reason for it has ended."
        )
    if not _one_line(typed_name):
        raise ValidationError({"typed_name": "Please type the person's full name to confirm."})
    if not names_match(typed_name, learner):
        raise ValidationError(
            {"typed_name": "The name typed does not match the person's full name. Nothing has been erased."}
        )


# --- Retention -------------------------------------------------------------------------------------------

RETENTION_FIELDS = ("sessions_years", "reviews_years", "profile_years", "plans_years", "person_years", "audit_years")
PART_OF_PERSON = ("sessions_years", "reviews_years", "profile_years", "plans_years")


def retention_edit_token(settings: RetentionSettings) -> str:
    return edit_token([getattr(settings, name) for name in RETENTION_FIELDS])


@transaction.atomic
def retention_settings_update(*, actor: Membership, version: str | None = None, **years: int) -> RetentionSettings:
    """`version` is the edit token from when the form was drawn (see attunement.edits)."""
    if not retention_policy.role_may(actor, "manage"):
        raise PermissionDenied("Only co-ordinators and administrators can change how long records are kept.")
    unknown = set(years) - set(RETENTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown retention settings: {sorted(unknown)}")
    RetentionSettings.objects.select_for_update().filter(organisation_id=actor.organisation_id).first()
    settings = settings_for(actor.organisation)
    require_unchanged(version, retention_edit_token(settings), "how long records are kept")
    low, high = RETENTION_YEARS_RANGE
    errors = {}
    values = {name: years.get(name, getattr(settings, name)) for name in RETENTION_FIELDS}
    for name, value in values.items():
        if value is None or not low <= value <= high:
            errors[name] = f"Please choose a whole number of years from {low} to {high}."
    person = values["person_years"]
    if "person_years" not in errors:
        for name in PART_OF_PERSON:
            if name not in errors and values[name] > person:
                errors[name] = (
                    f"This is kept with the person's record, so it cannot be kept longer than the person as a "
                    f"whole ({person} years). Please choose {person} years or fewer."
                )
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by_id = actor.user_id
    settings.save()
    audit_record(actor=actor, action="retention.settings_changed", target=settings)
    return settings


def _clear_profiles(profiles) -> int:
    empty = {name: "" for name, _, _ in PROFILE_SECTIONS}
    return CommunicationProfile.objects.filter(pk__in=list(profiles.values_list("pk", flat=True))).update(
        updated_by=None, updated_at=timezone.now(), **empty
    )


RETENTION_BATCH = 200


def _delete_in_batches(queryset, batch: int | None = None) -> None:
    """Delete what `queryset` finds a batch at a time, each batch in its own short transaction, so that a run
    with years of records to delete never keeps everyone else from saving."""
    while ids := list(queryset.values_list("pk", flat=True)[: batch or RETENTION_BATCH]):
        with transaction.atomic():
            # the base manager finds every record: the default one would skip withdrawn sessions for ever
            queryset.model._base_manager.filter(pk__in=ids).delete()


def _apply_plan(plan: OrganisationPlan) -> RetentionRun:
    """Delete what the plan lists, in short transactions. If it stops part-way, what is left is still due and the
    next run deletes it; the run is recorded once everything is done."""
    counts = plan.counts()
    organisation_id = plan.organisation.pk
    _delete_in_batches(plan.audit_entries())  # first, so the entries this run writes are never caught by it
    for learner in Learner.objects.filter(pk__in=plan.whole_people()):
        _delete_coding_events_of(learner.pk)
        with transaction.atomic():
            _erase_person(
                learner, organisation_id=organisation_id, actor_user_id=None, action="retention.person_deleted"
            )
    for queryset in (plan.sessions(), plan.home_observations(), plan.reviews(), plan.plans()):
        _delete_in_batches(queryset)
    with transaction.atomic():
        _clear_profiles(plan.profiles())
        run = RetentionRun.objects.create(organisation=plan.organisation, applied=True, counts=counts)
        system_audit(organisation_id=organisation_id, action="retention.applied", target=run)
    return run


def retention_apply(*, today: date | None = None, dry_run: bool = True) -> list[tuple[OrganisationPlan, dict]]:
    """Work out, for every organisation, what has passed its retention period; delete it unless `dry_run`.

    Returns each organisation's plan with the counts found (dry run) or deleted. Safe to run again: a
    second run the same day finds nothing more. A person under a legal hold is never touched.
    """
    results = []
    for plan in plans_for_all(today=today):
        if dry_run:
            counts = plan.counts()
            if any(counts.values()):
                RetentionRun.objects.create(organisation=plan.organisation, applied=False, counts=counts)
        else:
            counts = _apply_plan(plan).counts
        results.append((plan, counts))
    if not dry_run:
        security_log_prune(today=today)
    return results
