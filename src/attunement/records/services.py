"""The actions on a whole person and on everyone's records: the subject access export, erasure, and the
retention rules and their run. Each checks permission through a policy, explains bad input in plain words
(ValidationError) and leaves an audit entry. This app sits above every app that holds personal data: it reads
and deletes their records, and none of them imports it."""

from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attunement.codings.models import CodingEvent
from attunement.edits import edit_token, require_unchanged
from attunement.learners.models import PROFILE_SECTIONS, Assignment, CommunicationProfile, Learner
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record, audit_system
from attunement.organisations.models import AuditEntry, Membership
from attunement.privacy.models import LegalHold, RetentionRun, RetentionSettings
from attunement.privacy.policies import retention_policy

from .export import export_filename, export_zip
from .retention import OrganisationPlan, plans_for_all, security_log_prune, settings_for

RETENTION_YEARS_RANGE = (1, 50)


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


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
    learner_policy.require(actor, "export", learner)
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
    learner_policy.require(actor, "erase", learner)
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
    retention_policy.require(actor, "manage")
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
        audit_system(organisation_id=organisation_id, action="retention.applied", target=run)
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
