"""Every write of practice records: permission, validation in plain words, audit, one transaction."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.contrib.humanize.templatetags.humanize import apnumber
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attunement.catalogue.defaults import add_defaults
from attunement.catalogue.rules import AuditActions, Catalogue, Words
from attunement.edits import edit_token, require_unchanged
from attunement.learners.models import Learner, PlanOutcome
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.selectors import staff_of

from . import corrections
from . import novelty as novelty_rules
from .corrections import Change
from .models import (
    FAMILY_FEEDBACK_QUESTIONS,
    Correction,
    FamilyFeedback,
    Fundamental,
    HomeObservation,
    ObservedBehaviour,
    ProgressReview,
    ProgressScale,
    ReviewRating,
    ScaleLevel,
    Session,
)
from .policies import correction_refusal, fundamental_policy, practice_settings_policy, restore_refusal, scale_policy
from .vocabulary import ENGAGEMENT_AREAS, SCALE_PRESETS, Ending, Novelty, Phase, Rates, Technique, default_fundamentals

USUAL_MINUTES = (1, 60)
LONGEST_MINUTES = 300
CLOCK_SLACK = timedelta(minutes=5)


# --- The organisation's catalogue and scales -------------------------------------------------------------


def create_default_fundamentals(organisation: Organisation) -> None:
    """Give a new organisation the Fundamentals of Communication (nothing if it has any already)."""
    add_defaults(Fundamental, organisation.pk, default_fundamentals())


@transaction.atomic
def organisation_practice_setup(*, organisation: Organisation) -> None:
    """Give a new organisation the scale presets (idempotent). Its Fundamentals come with the other catalogues
    (`create_default_fundamentals`)."""
    for preset in SCALE_PRESETS:
        scale, created = ProgressScale.objects.get_or_create(
            organisation=organisation,
            preset=preset["key"],
            defaults={
                "name": preset["name"],
                "rates": preset["rates"],
                "is_optional": preset["optional"],
                "note": preset["note"],
            },
        )
        if created:
            ScaleLevel.objects.bulk_create(
                ScaleLevel(scale=scale, position=i, label=label, description=description)
                for i, (label, description) in enumerate(preset["levels"])
            )
        if preset["key"] == "default" and organisation.progress_scale_id is None:
            organisation.progress_scale = scale
            organisation.save(update_fields=["progress_scale"])


FUNDAMENTALS = Catalogue(
    Fundamental,
    Words(thing="Fundamental", name_missing="Please give the Fundamental a name."),
    policy=fundamental_policy,
    audit=AuditActions(
        added="fundamental.added",
        changed="fundamental.renamed",
        retired="fundamental.retired",
        restored="fundamental.restored",
    ),
)


def fundamental_add(*, actor: Membership, name: str, area: str) -> Fundamental:
    return FUNDAMENTALS.add(actor=actor, name=name, area=area)


def fundamental_edit_token(fundamental: Fundamental) -> str:
    return FUNDAMENTALS.edit_token(fundamental)


def fundamental_rename(
    *, actor: Membership, fundamental: Fundamental, name: str, version: str | None = None
) -> Fundamental:
    """`version` is the edit token from when the rename box was drawn (see attunement.edits)."""
    return FUNDAMENTALS.change(
        actor=actor, entry=fundamental, version=version, what="this Fundamental's name", name=name
    )


def fundamental_set_retired(*, actor: Membership, fundamental: Fundamental, retired: bool) -> Fundamental:
    """Retiring hides a Fundamental from new sessions and reviews; past records keep it."""
    return FUNDAMENTALS.set_retired(actor=actor, entry=fundamental, retired=retired)


# --- Sessions --------------------------------------------------------------------------------------------


@dataclass
class SessionDetails:
    started_at: datetime
    minutes: int
    place: str = ""
    planned: bool = False
    partner_ids: list[int] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    fundamental_ids: list[int] = field(default_factory=list)
    outcome_ids: list[int] = field(default_factory=list)
    behaviours: list[tuple[str, str]] = field(default_factory=list)
    enjoyment: int | None = None
    ending: str = ""
    ending_reason: str = ""
    what_happened: str = ""
    significant_moment: str = ""
    how_i_did: str = ""
    next_time: str = ""
    long_session_confirmed: bool = False


@dataclass
class RecordedSession:
    session: Session
    already_saved: bool


def validate_session_details(*, actor: Membership, learner: Learner, details: SessionDetails) -> None:
    """Raises ValidationError with a plain-words message for each field that is wrong."""
    errors: dict[str, str] = {}
    now = timezone.now()
    if details.started_at > now + CLOCK_SLACK:
        errors["started_at"] = "The start time is in the future. Please check the date and time."
    elif details.started_at < now - timedelta(days=366 * 5):
        errors["started_at"] = "The start time is more than five years ago. Please check the date."
    if problem := minutes_problem(details.minutes, long_session_confirmed=details.long_session_confirmed):
        errors["minutes"] = problem
    if not set(details.phases) <= set(Phase.values) or not set(details.techniques) <= set(Technique.values):
        errors["phases"] = "Please choose phases and techniques from the lists."
    if details.ending and details.ending not in Ending.values:
        errors["ending"] = "Please choose how the session ended from the list."
    if details.ending == Ending.PARTNER_ENDED and not details.ending_reason.strip():
        errors["ending_reason"] = "You ended the session: please say why, in a few words."
    if details.enjoyment is not None and details.enjoyment not in (1, 2, 3):
        errors["enjoyment"] = "Please choose one of the three faces."
    for description, novelty in details.behaviours:
        if novelty not in Novelty.values:
            errors["behaviours"] = "Please mark each behaviour typical, rarely seen or never seen before."
        if len(description) > 300:
            errors["behaviours"] = "Please describe each behaviour in under 300 characters."
    fundamentals = list(
        Fundamental.objects.filter(organisation_id=learner.organisation_id, pk__in=details.fundamental_ids)
    )
    if len(set(details.fundamental_ids)) != len(fundamentals):
        errors["fundamentals"] = "One of the Fundamentals chosen is not in your organisation's list."
    retired = [f.name for f in fundamentals if f.is_retired]
    if retired:
        errors["fundamentals"] = (
            f"“{retired[0]}” has been retired from your organisation's list, so new sessions cannot use it. "
            "Please untick it."
        )
    partners = staff_of(learner.organisation).filter(pk__in=details.partner_ids)
    if len(set(details.partner_ids)) != partners.count():
        errors["partner_ids"] = "Partners must be members of staff in your organisation."
    outcomes = PlanOutcome.objects.filter(plan__learner=learner, is_active=True, pk__in=details.outcome_ids)
    if len(set(details.outcome_ids)) != outcomes.count():
        errors["outcome_ids"] = "One of the plan outcomes chosen is not in this person's current plans."
    if errors:
        raise ValidationError(errors)


def minutes_problem(minutes: int | None, *, long_session_confirmed: bool = False) -> str | None:
    """What is wrong with a session's length, in plain words, or None. The quick log's script shows the same
    words while the number is typed (the form hands them over with the limits)."""
    if minutes is None or minutes < USUAL_MINUTES[0]:
        return too_few_minutes_message()
    if minutes > LONGEST_MINUTES:
        return too_many_minutes_message(minutes)
    if minutes > USUAL_MINUTES[1] and not long_session_confirmed:
        return unusual_minutes_message(minutes)
    return None


def too_few_minutes_message() -> str:
    return f"Please enter how many minutes the session lasted: at least {USUAL_MINUTES[0]}."


def too_many_minutes_message(minutes) -> str:
    hours, rest = divmod(LONGEST_MINUTES, 60)
    longest = f"{apnumber(hours)} hours" if not rest else f"{LONGEST_MINUTES} minutes"
    return f"{minutes} minutes is more than {longest}. Please check the number of minutes."


def unusual_minutes_message(minutes) -> str:
    return (
        f"{minutes} minutes is longer than most sessions (usually 5 to 30 minutes). "
        "If that is right, tick “Yes, it really lasted this long” and save again."
    )


def saved_once(model, submission_key: uuid.UUID | None, owner_id: int, create) -> tuple[object, bool]:
    """Run `create` (itself atomic) unless a record already carries this form's submission key.

    Returns the record and whether it had already been saved. Two posts racing each other meet the unique
    constraint on the key: the loser gets the winner's record. A key used by someone else is refused.
    """

    def existing():
        # `_base_manager`: a record withdrawn since still holds its key (sent again, it is not saved twice)
        return model._base_manager.filter(submission_key=submission_key).first() if submission_key else None

    def as_already_saved(record):
        if record.owner_id != owner_id:
            raise PermissionDenied("This form has already been used by someone else.")
        return record, True

    if (record := existing()) is not None:
        return as_already_saved(record)
    try:
        return create(), False
    except IntegrityError:
        if (record := existing()) is None:
            raise
        return as_already_saved(record)


def session_record(
    *, actor: Membership, learner: Learner, details: SessionDetails, submission_key: uuid.UUID | None = None
) -> RecordedSession:
    """Save a session once. Posting the same form twice (same submission key) returns the first save."""
    session, already_saved = saved_once(
        Session, submission_key, actor.user_id, lambda: _session_create(actor, learner, details, submission_key)
    )
    return RecordedSession(session, already_saved=already_saved)


@transaction.atomic
def _session_create(actor: Membership, learner: Learner, details: SessionDetails, submission_key) -> Session:
    learner_policy.require(actor, "record_session", learner)
    validate_session_details(actor=actor, learner=learner, details=details)
    behaviours = [(text.strip(), novelty) for text, novelty in details.behaviours if text.strip()]
    session = Session.objects.create(
        learner=learner,
        recorded_by_id=actor.user_id,
        started_at=details.started_at,
        minutes=details.minutes,
        place=" ".join(details.place.split())[:120],
        planned=details.planned,
        phases=list(dict.fromkeys(details.phases)),
        techniques=list(dict.fromkeys(details.techniques)),
        enjoyment=details.enjoyment,
        ending=details.ending,
        ending_reason=details.ending_reason.strip(),
        what_happened=details.what_happened.strip(),
        significant_moment=details.significant_moment.strip(),
        how_i_did=details.how_i_did.strip(),
        next_time=details.next_time.strip(),
        has_new_behaviour=any(novelty == Novelty.NEW for _, novelty in behaviours),
        submission_key=submission_key,
    )
    # A new session has none yet: add, without first reading what it has (as `set` would).
    session.partners.add(*(details.partner_ids or [actor.user_id]))
    if details.fundamental_ids:
        session.fundamentals.add(*details.fundamental_ids)
    if details.outcome_ids:
        session.outcomes.add(*details.outcome_ids)
    ObservedBehaviour.objects.bulk_create(
        ObservedBehaviour(session=session, description=text, novelty=novelty) for text, novelty in behaviours
    )
    # Only a real first counts as one, and a session logged for an earlier day can hold it instead of a later one:
    # only the records of this session's behaviours can change.
    keys = {novelty_rules.behaviour_key(text) for text, _ in behaviours}
    if novelty_rules.refresh_first_flags([learner.pk], keys=keys, sessions=[session.pk]):
        session.refresh_from_db(fields=["has_new_behaviour"])
    audit_record(actor=actor, action="session.created", learner=learner, target=session)
    return session


# --- Progress reviews ------------------------------------------------------------------------------------


@dataclass
class RatingInput:
    level_id: int
    fundamental_id: int | None = None
    area: str = ""
    evidence_ids: list[int] = field(default_factory=list)
    note: str = ""


def review_record(*, actor: Membership, submission_key: uuid.UUID | None = None, **review) -> ProgressReview:
    """Save a progress review once, however many times its form is posted."""
    saved, _ = saved_once(
        ProgressReview,
        submission_key,
        actor.user_id,
        lambda: _review_create(actor=actor, submission_key=submission_key, **review),
    )
    return saved


@transaction.atomic
def _review_create(
    *,
    actor: Membership,
    learner: Learner,
    scale: ProgressScale,
    reviewed_on: date,
    ratings: list[RatingInput],
    period_label: str = "",
    summary: str = "",
    outcome_ids: list[int] = (),
    submission_key: uuid.UUID | None = None,
) -> ProgressReview:
    learner_policy.require(actor, "review_progress", learner)
    _validate_review(learner=learner, scale=scale, reviewed_on=reviewed_on, ratings=ratings, outcome_ids=outcome_ids)
    review = ProgressReview.objects.create(
        learner=learner,
        scale=scale,
        reviewed_on=reviewed_on,
        period_label=period_label.strip(),
        summary=summary.strip(),
        reviewer_id=actor.user_id,
        submission_key=submission_key,
    )
    review.outcomes.set(set(outcome_ids))
    for rating in ratings:
        row = ReviewRating.objects.create(
            review=review,
            level_id=rating.level_id,
            fundamental_id=rating.fundamental_id,
            area=rating.area,
            note=rating.note.strip()[:300],
        )
        row.evidence.set(rating.evidence_ids)
    audit_record(actor=actor, action="review.created", learner=learner, target=review)
    return review


def _validate_review(
    *,
    learner: Learner,
    scale: ProgressScale,
    reviewed_on: date,
    ratings: list[RatingInput],
    outcome_ids,
    evidence_kept: set[int] = frozenset(),
    require_ratings: bool = True,
) -> None:
    """Raises ValidationError in plain words. `evidence_kept`: sessions already linked to the review being
    corrected, which may stay linked."""
    errors = {}
    if scale.organisation_id != learner.organisation_id:
        errors["scale"] = "Please choose one of your organisation's scales."
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "The review date is in the future. Please check it."
    if require_ratings and not ratings:
        errors["ratings"] = "Please rate at least one item before saving the review."
    levels = set(scale.levels.values_list("pk", flat=True))
    allowed_fundamentals = set(
        Fundamental.objects.filter(organisation_id=learner.organisation_id, retired_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    allowed_areas = {code for code, _ in ENGAGEMENT_AREAS}
    evidence_allowed = set(Session.objects.filter(learner=learner).values_list("pk", flat=True)) | set(evidence_kept)
    for rating in ratings:
        if rating.level_id not in levels:
            errors["ratings"] = "Please choose levels from the scale shown."
        if scale.rates == Rates.FUNDAMENTALS and rating.fundamental_id not in allowed_fundamentals:
            errors["ratings"] = "One of the Fundamentals rated is retired or not in your organisation's list."
        if scale.rates == Rates.ENGAGEMENT_AREAS and rating.area not in allowed_areas:
            errors["ratings"] = "Please rate the Engagement Model's five areas only."
        if not set(rating.evidence_ids) <= evidence_allowed:
            errors["ratings"] = "Evidence must be this person's own sessions."
    outcomes = PlanOutcome.objects.filter(plan__learner=learner, pk__in=outcome_ids)
    if len(set(outcome_ids)) != outcomes.count():
        errors["outcome_ids"] = "One of the plan outcomes chosen is not in this person's plans."
    if errors:
        raise ValidationError(errors)


# --- Corrections: changing or withdrawing a saved session or progress review ------------------------------
# Who may is decided in one place, policies.correction_refusal. Every earlier version is kept as a Correction,
# every change is in the audit trail with what it was before and after, and a form opened before someone else
# saved the record is refused with EditConflict (see attunement.edits) rather than overwriting their work.

WITHDRAW_REASON_LENGTH = 300


@dataclass
class Corrected:
    record: Session | ProgressReview
    changes: list[Change] = field(default_factory=list)
    already_saved: bool = False  # the same correction posted twice (a double tap): saved once
    moved_from: Learner | None = None
    evidence_removed: int = 0


def _require_may_correct(actor: Membership, record) -> None:
    refusal = correction_refusal(actor, record)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationError({"reason": "Please say why, in a few words."})
    if len(reason) > WITHDRAW_REASON_LENGTH:
        raise ValidationError({"reason": f"Please keep the reason under {WITHDRAW_REASON_LENGTH} characters."})
    return reason


def _session_state(session: Session) -> dict:
    """Every field of the session as stored: what its edit token fingerprints."""
    return {
        "learner": session.learner_id,
        "started_at": session.started_at.isoformat(),
        **{name: getattr(session, name) for name in Session.FORM_FIELDS},
        "partners": sorted(session.partners.values_list("pk", flat=True)),
        "fundamentals": sorted(session.fundamentals.values_list("pk", flat=True)),
        "outcomes": sorted(session.outcomes.values_list("pk", flat=True)),
        "behaviours": [[b.description, b.novelty] for b in session.behaviours.order_by("pk")],
    }


def session_edit_token(session: Session) -> str:
    return edit_token(_session_state(session))


def _proposed_session_state(actor: Membership, session: Session, learner: Learner, details: SessionDetails) -> dict:
    """The session as it would be saved from the corrected form, tidied exactly as a new session is."""
    started_at = details.started_at
    if started_at == session.started_at.replace(second=0, microsecond=0):
        started_at = session.started_at  # the form shows minutes only: an untouched time keeps its seconds
    outcomes = details.outcome_ids
    if learner.pk != session.learner_id:  # outcomes of the first person's plans cannot follow the session
        outcomes = PlanOutcome.objects.filter(plan__learner=learner, pk__in=outcomes).values_list("pk", flat=True)
    return {
        "learner": learner.pk,
        "started_at": started_at.isoformat(),
        "minutes": details.minutes,
        "place": " ".join(details.place.split())[:120],
        "planned": details.planned,
        "partners": sorted(set(details.partner_ids or [actor.user_id])),
        "phases": list(dict.fromkeys(details.phases)),
        "techniques": list(dict.fromkeys(details.techniques)),
        "fundamentals": sorted(set(details.fundamental_ids)),
        "outcomes": sorted(set(outcomes)),
        "enjoyment": details.enjoyment,
        "ending": details.ending,
        "ending_reason": details.ending_reason.strip(),
        "what_happened": details.what_happened.strip(),
        "significant_moment": details.significant_moment.strip(),
        "how_i_did": details.how_i_did.strip(),
        "next_time": details.next_time.strip(),
        "behaviours": [[text.strip(), novelty] for text, novelty in details.behaviours if text.strip()],
    }


def _validate_session_correction(actor, session: Session, learner: Learner, details: SessionDetails, proposed):
    """The quick log's own checks, except that what the session already had may stay: a partner who has left,
    a Fundamental or plan outcome retired since, a long session whose length is not being changed."""
    kept_partners = set(session.partners.values_list("pk", flat=True))
    kept_fundamentals = set(session.fundamentals.values_list("pk", flat=True))
    kept_outcomes = set(session.outcomes.values_list("pk", flat=True)) if learner.pk == session.learner_id else set()
    check = replace(
        details,
        partner_ids=[pk for pk in proposed["partners"] if pk not in kept_partners],
        fundamental_ids=[pk for pk in proposed["fundamentals"] if pk not in kept_fundamentals],
        outcome_ids=[pk for pk in proposed["outcomes"] if pk not in kept_outcomes],
        long_session_confirmed=details.long_session_confirmed or details.minutes == session.minutes,
    )
    if proposed["started_at"] == session.started_at.isoformat():
        check = replace(check, started_at=timezone.now())  # an untouched start time is never refused
    validate_session_details(actor=actor, learner=learner, details=check)


@transaction.atomic
def session_correct(
    *,
    actor: Membership,
    session: Session,
    details: SessionDetails,
    learner: Learner | None = None,
    version: str | None = None,
    reason: str = "",
) -> Corrected:
    """Change any field of a saved session, including the person it was logged for (`learner`).

    `version` is the session's edit token when the form was opened (see attunement.edits). The same correction
    posted twice is saved once; a different one made since the form was opened is refused with EditConflict.
    """
    session = Session.every_record.select_for_update().select_related("learner__organisation").get(pk=session.pk)
    _require_may_correct(actor, session)
    learner = learner or session.learner
    reason = _clean_reason(reason, required=False)
    moved = learner.pk != session.learner_id
    if moved:
        learner_policy.require(
            actor, "record_session", learner, message="You can only move a session to someone you log sessions for."
        )
        has_media = any(
            getattr(session, name).exists() for name in ("videos", "coding_passes") if hasattr(session, name)
        )
        if has_media:
            raise ValidationError(
                {
                    "learner": "This session has a video or a coding, which belong to the person filmed, so it "
                    "cannot be moved. Withdraw it and log the session again for the right person."
                }
            )
    current = _session_state(session)
    proposed = _proposed_session_state(actor, session, learner, details)
    if proposed == current:
        return Corrected(session, already_saved=version is not None and version != edit_token(current))
    require_unchanged(version, edit_token(current), "this session")
    _validate_session_correction(actor, session, learner, details, proposed)

    before = corrections.session_in_words(session)
    first_person = session.learner
    session.learner = learner
    session.started_at = datetime.fromisoformat(proposed["started_at"])
    for name in Session.FORM_FIELDS:
        setattr(session, name, proposed[name])
    session.has_new_behaviour = any(novelty == Novelty.NEW for _, novelty in proposed["behaviours"])
    session.save()
    session.partners.set(proposed["partners"])
    session.fundamentals.set(proposed["fundamentals"])
    session.outcomes.set(proposed["outcomes"])
    if proposed["behaviours"] != current["behaviours"]:
        session.behaviours.all().delete()
        ObservedBehaviour.objects.bulk_create(
            ObservedBehaviour(session=session, description=text, novelty=novelty)
            for text, novelty in proposed["behaviours"]
        )
    evidence_removed = 0
    if moved:  # it is no longer evidence in the first person's reviews
        links = ReviewRating.evidence.through.objects.filter(session_id=session.pk).exclude(
            reviewrating__review__learner_id=learner.pk
        )
        evidence_removed, _ = links.delete()
    # Only real firsts count as firsts: the records of the behaviours it had and has now can change, for both people.
    keys = {novelty_rules.behaviour_key(text) for text, _ in [*current["behaviours"], *proposed["behaviours"]]}
    novelty_rules.refresh_first_flags({learner.pk, first_person.pk}, keys=keys, sessions=[session.pk])
    session = Session.every_record.get(pk=session.pk)
    after = corrections.session_in_words(session)
    _keep_version(actor, session, Correction.Kind.EDIT, before, after, reason)
    changed_before, changed_after = corrections.only_changed(before, after)
    detail = {"before": changed_before, "after": changed_after, "reason": reason}
    if evidence_removed:
        detail["no longer evidence in reviews"] = evidence_removed
    for person in [learner, first_person] if moved else [learner]:
        audit_record(actor=actor, action="session.change", learner=person, target=session, detail=detail)
    return Corrected(
        session,
        changes=corrections.changes_between(before, after),
        moved_from=first_person if moved else None,
        evidence_removed=evidence_removed,
    )


@transaction.atomic
def session_withdraw(*, actor: Membership, session: Session, reason: str) -> Corrected:
    """Withdraw a saved session with a reason: it leaves every list, count, chart, family view and report, and
    is kept for the audit trail and the person's own copy of their data."""
    session = Session.every_record.select_for_update().select_related("learner__organisation").get(pk=session.pk)
    if session.is_withdrawn and session.withdrawn_by_id == actor.user_id:
        return Corrected(session, already_saved=True)
    _require_may_correct(actor, session)
    reason = _clean_reason(reason, required=True)
    _withdraw(actor, session, reason, corrections.session_in_words(session))
    # A later record of one of its behaviours may now hold the first.
    novelty_rules.refresh_first_flags([session.learner_id], keys=_behaviour_keys(session))
    audit_record(
        actor=actor,
        action="session.withdraw",
        learner=session.learner,
        target=session,
        detail={"before": {"status": "current"}, "after": {"status": "withdrawn"}, "reason": reason},
    )
    return Corrected(session)


def _behaviour_keys(session: Session) -> set[str]:
    """The keys (see novelty.behaviour_key) of the session's behaviours, as written."""
    return {novelty_rules.behaviour_key(text) for text in session.behaviours.values_list("description", flat=True)}


def _withdraw(actor: Membership, record, reason: str, words: dict) -> None:
    record.withdrawn_at = timezone.now()
    record.withdrawn_by_id = actor.user_id
    record.withdrawn_reason = reason
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    _keep_version(actor, record, Correction.Kind.WITHDRAW, words, {}, reason)


def _keep_version(actor: Membership, record: Session | ProgressReview, kind, before: dict, after: dict, reason: str):
    """Keep the version a correction replaced (in words), so the record's history can always be shown."""
    Correction.objects.create(
        **{"session" if isinstance(record, Session) else "review": record},
        changed_by_id=actor.user_id,
        kind=kind,
        before=before,
        after=after,
        reason=reason,
    )


@transaction.atomic
def record_restore(*, actor: Membership, record: Session | ProgressReview, reason: str) -> Corrected:
    """Bring back a record withdrawn by mistake, with a reason: it counts again everywhere, and its history
    says who brought it back, when and why."""
    model = type(record)
    record = model.every_record.select_for_update().select_related("learner__organisation").get(pk=record.pk)
    if not record.is_withdrawn and record.corrections.filter(kind=Correction.Kind.RESTORE).exists():
        last = record.corrections.order_by("-changed_at", "-pk").first()
        if last.kind == Correction.Kind.RESTORE and last.changed_by_id == actor.user_id:
            return Corrected(record, already_saved=True)  # the same form sent twice
    refusal = restore_refusal(actor, record)
    if refusal is not None:
        raise PermissionDenied(refusal)
    reason = _clean_reason(reason, required=True)
    record.withdrawn_at, record.withdrawn_by, record.withdrawn_reason = None, None, ""
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    is_session = isinstance(record, Session)
    words = corrections.session_in_words(record) if is_session else corrections.review_in_words(record)
    _keep_version(actor, record, Correction.Kind.RESTORE, {}, words, reason)
    if is_session:
        # It may hold a first again, instead of a later record of the same behaviour.
        novelty_rules.refresh_first_flags([record.learner_id], keys=_behaviour_keys(record), sessions=[record.pk])
    audit_record(
        actor=actor,
        action="session.restored" if is_session else "review.restored",
        learner=record.learner,
        target=record,
        detail={"before": {"status": "withdrawn"}, "after": {"status": "current"}, "reason": reason},
    )
    return Corrected(record)


def rating_key(fundamental_id: int | None, area: str) -> str:
    """How a review form names a rated item: "fundamental:12" or "area:exploration"."""
    return f"fundamental:{fundamental_id}" if fundamental_id else f"area:{area}"


def _review_state(review: ProgressReview) -> dict:
    ratings = {}
    for rating in review.ratings.order_by("pk"):
        evidence = sorted(rating.evidence.values_list("pk", flat=True))
        ratings[rating_key(rating.fundamental_id, rating.area)] = [rating.level_id, evidence]
    return {
        "reviewed_on": review.reviewed_on.isoformat(),
        "period_label": review.period_label,
        "summary": review.summary,
        "outcomes": sorted(review.outcomes.values_list("pk", flat=True)),
        "ratings": ratings,
    }


def review_edit_token(review: ProgressReview) -> str:
    return edit_token(_review_state(review))


@transaction.atomic
def review_correct(
    *,
    actor: Membership,
    review: ProgressReview,
    reviewed_on: date,
    ratings: list[RatingInput],
    offered: set[str],
    period_label: str = "",
    summary: str = "",
    outcome_ids=(),
    version: str | None = None,
    reason: str = "",
) -> Corrected:
    """Change a saved progress review. `offered` names the items the form showed (see `rating_key`): an offered
    item left unrated loses its rating; an item the form did not show (a Fundamental retired since) keeps it."""
    review = (
        ProgressReview.every_record.select_for_update()
        .select_related("learner__organisation", "scale")
        .get(pk=review.pk)
    )
    _require_may_correct(actor, review)
    reason = _clean_reason(reason, required=False)
    current = _review_state(review)
    posted = {rating_key(r.fundamental_id, r.area): r for r in ratings}
    proposed_ratings = {key: value for key, value in current["ratings"].items() if key not in offered}
    for key, rating in posted.items():
        proposed_ratings[key] = [rating.level_id, sorted(set(rating.evidence_ids))]
    proposed = {
        "reviewed_on": reviewed_on.isoformat(),
        "period_label": period_label.strip(),
        "summary": summary.strip(),
        "outcomes": sorted(set(outcome_ids)),
        "ratings": proposed_ratings,
    }
    if proposed == current:
        return Corrected(review, already_saved=version is not None and version != edit_token(current))
    require_unchanged(version, edit_token(current), "this review")
    kept_evidence = {pk for _, evidence in current["ratings"].values() for pk in evidence}
    kept_outcomes = set(current["outcomes"])
    _validate_review(
        learner=review.learner,
        scale=review.scale,
        reviewed_on=reviewed_on if proposed["reviewed_on"] != current["reviewed_on"] else timezone.localdate(),
        ratings=list(posted.values()),
        require_ratings=not proposed_ratings,
        outcome_ids=[pk for pk in proposed["outcomes"] if pk not in kept_outcomes],
        evidence_kept=kept_evidence,
    )

    before = corrections.review_in_words(review)
    review.reviewed_on = reviewed_on
    review.period_label = proposed["period_label"]
    review.summary = proposed["summary"]
    review.save(update_fields=["reviewed_on", "period_label", "summary"])
    review.outcomes.set(proposed["outcomes"])
    existing = {rating_key(r.fundamental_id, r.area): r for r in review.ratings.all()}
    for key in offered:
        row = existing.get(key)
        if key not in posted:
            if row is not None:
                row.delete()
            continue
        wanted = posted[key]
        if row is None:
            row = ReviewRating.objects.create(
                review=review, level_id=wanted.level_id, fundamental_id=wanted.fundamental_id, area=wanted.area
            )
        elif row.level_id != wanted.level_id:
            row.level_id = wanted.level_id
            row.save(update_fields=["level"])
        row.evidence.set(wanted.evidence_ids)
    review = ProgressReview.every_record.get(pk=review.pk)
    after = corrections.review_in_words(review)
    _keep_version(actor, review, Correction.Kind.EDIT, before, after, reason)
    changed_before, changed_after = corrections.only_changed(before, after)
    audit_record(
        actor=actor,
        action="review.change",
        learner=review.learner,
        target=review,
        detail={"before": changed_before, "after": changed_after, "reason": reason},
    )
    return Corrected(review, changes=corrections.changes_between(before, after))


@transaction.atomic
def review_withdraw(*, actor: Membership, review: ProgressReview, reason: str) -> Corrected:
    review = ProgressReview.every_record.select_for_update().select_related("learner__organisation").get(pk=review.pk)
    if review.is_withdrawn and review.withdrawn_by_id == actor.user_id:
        return Corrected(review, already_saved=True)
    _require_may_correct(actor, review)
    reason = _clean_reason(reason, required=True)
    _withdraw(actor, review, reason, corrections.review_in_words(review))
    audit_record(
        actor=actor,
        action="review.withdraw",
        learner=review.learner,
        target=review,
        detail={"before": {"status": "current"}, "after": {"status": "withdrawn"}, "reason": reason},
    )
    return Corrected(review)


def scale_edit_token(scale: ProgressScale) -> str:
    return edit_token(list(scale.levels.order_by("pk").values_list("pk", "label", "description")))


@transaction.atomic
def scale_wording_update(
    *, actor: Membership, scale: ProgressScale, wording: dict[int, tuple[str, str]], version: str | None = None
) -> None:
    """Let an organisation word a scale's levels its own way. Past ratings keep their level, shown in the new words.
    `version` is the edit token from when the form was drawn (see attunement.edits)."""
    scale_policy.require(actor, "manage", scale)
    ProgressScale.objects.select_for_update().filter(pk=scale.pk).first()
    require_unchanged(version, scale_edit_token(scale), "the wording of this scale")
    levels = {level.pk: level for level in scale.levels.all()}
    labels = [" ".join(label.split()) for label, _ in wording.values()]
    if set(wording) != set(levels):
        raise ValidationError("Please word every level of the scale.")
    if not all(labels):
        raise ValidationError("Every level needs a name.")
    if len({label.lower() for label in labels}) != len(labels):
        raise ValidationError("Two levels have the same name. Please make each one different.")
    for pk, (label, description) in wording.items():
        level = levels[pk]
        level.label, level.description = " ".join(label.split())[:80], description.strip()[:300]
        level.save(update_fields=["label", "description"])
    audit_record(actor=actor, action="scale.reworded", target=scale)


def organisation_settings_token(organisation: Organisation) -> str:
    return edit_token(
        organisation.learner_word,
        organisation.weekly_session_target,
        organisation.progress_scale_id,
        organisation.correction_days,
        organisation.media_wait_on_tablets,
    )


@transaction.atomic
def organisation_settings_update(
    *,
    actor: Membership,
    learner_word: str,
    weekly_session_target: int,
    progress_scale: ProgressScale,
    correction_days: int | None = None,
    media_wait_on_tablets: bool | None = None,
    version: str | None = None,
) -> Organisation:
    """`version` is the edit token from when the form was drawn (see attunement.edits)."""
    practice_settings_policy.require(actor, "manage")
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    require_unchanged(version, organisation_settings_token(organisation), "these settings")
    if progress_scale.organisation_id != organisation.pk:
        raise ValidationError({"progress_scale": "Please choose one of your organisation's scales."})
    if not 0 <= weekly_session_target <= 50:
        raise ValidationError({"weekly_session_target": "Please choose a weekly target between 0 and 50."})
    if correction_days is not None and not 0 <= correction_days <= 365:
        raise ValidationError({"correction_days": "Please choose a number of days from 0 to 365."})
    organisation.learner_word = learner_word
    organisation.weekly_session_target = weekly_session_target
    organisation.progress_scale = progress_scale
    if correction_days is not None:
        organisation.correction_days = correction_days
    if media_wait_on_tablets is not None:
        organisation.media_wait_on_tablets = media_wait_on_tablets
    organisation.save(
        update_fields=[
            "learner_word",
            "weekly_session_target",
            "progress_scale",
            "correction_days",
            "media_wait_on_tablets",
        ]
    )
    audit_record(actor=actor, action="organisation.settings_changed", target=organisation)
    return organisation


# --- Notes from home ---------------------------------------------------------------------------------------


def home_observation_add(
    *, actor: Membership, learner: Learner, observed_on: date, text: str, submission_key: uuid.UUID | None = None
) -> HomeObservation:
    """Send a note from home once, however many times its form is posted (same submission key). The note
    returned has `already_saved` True when an earlier post of the same form had saved it."""
    observation, already_saved = saved_once(
        HomeObservation,
        submission_key,
        actor.user_id,
        lambda: _home_observation_create(actor, learner, observed_on, text, submission_key),
    )
    observation.already_saved = already_saved
    return observation


@transaction.atomic
def _home_observation_create(actor, learner, observed_on, text, submission_key) -> HomeObservation:
    learner_policy.require(actor, "add_home_observation", learner)
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = "Please write what you noticed."
    elif len(text) > 2000:
        errors["text"] = "Please keep it under 2,000 characters."
    if observed_on > timezone.localdate():
        errors["observed_on"] = "That date is in the future. Please check it."
    elif observed_on < timezone.localdate() - timedelta(days=366):
        errors["observed_on"] = "That date is more than a year ago. Please check it."
    if errors:
        raise ValidationError(errors)
    observation = HomeObservation.objects.create(
        learner=learner, author_id=actor.user_id, observed_on=observed_on, text=text, submission_key=submission_key
    )
    audit_record(actor=actor, action="home_observation.created", learner=learner, target=observation)
    return observation


def family_feedback_record(*, actor: Membership, submission_key: uuid.UUID | None = None, **feedback) -> FamilyFeedback:
    """Feedback from the family: by a family member in the portal, or by staff from a paper form. Saved once,
    however many times its form is posted (same submission key); the feedback returned has `already_saved`
    True when an earlier post of the same form had saved it."""
    saved, already_saved = saved_once(
        FamilyFeedback,
        submission_key,
        actor.user_id,
        lambda: _family_feedback_create(actor=actor, submission_key=submission_key, **feedback),
    )
    saved.already_saved = already_saved
    return saved


@transaction.atomic
def _family_feedback_create(
    *,
    actor: Membership,
    learner: Learner,
    given_on: date,
    scores: dict[str, int],
    comment: str = "",
    may_quote: bool = False,
    given_by_name: str = "",
    submission_key: uuid.UUID | None = None,
) -> FamilyFeedback:
    on_paper = actor.role != Role.FAMILY
    action = "enter_family_feedback" if on_paper else "give_family_feedback"
    learner_policy.require(actor, action, learner)
    errors = {}
    for question, _ in FAMILY_FEEDBACK_QUESTIONS:
        if scores.get(question) not in (1, 2, 3, 4, 5):
            errors[question] = "Please choose from 1 (not at all) to 5 (very much)."
    if given_on > timezone.localdate():
        errors["given_on"] = "That date is in the future. Please check it."
    if on_paper and not given_by_name.strip():
        errors["given_by_name"] = "Please say who in the family filled in the paper form."
    if errors:
        raise ValidationError(errors)
    feedback = FamilyFeedback.objects.create(
        learner=learner,
        given_on=given_on,
        entered_by_id=actor.user_id,
        on_paper=on_paper,
        given_by_name=given_by_name.strip()[:120],
        comment=comment.strip()[:2000],
        may_quote=may_quote,
        submission_key=submission_key,
        **{question: scores[question] for question, _ in FAMILY_FEEDBACK_QUESTIONS},
    )
    audit_record(actor=actor, action="family_feedback.created", learner=learner, target=feedback)
    return feedback
