"""Every write of practice records: permission, validation in plain words, audit, one transaction."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from attunement.edits import edit_token, require_unchanged
from attunement.learners.models import Learner, PlanOutcome
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.selectors import staff_of

from .models import (
    FAMILY_FEEDBACK_QUESTIONS,
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
from .policies import fundamental_policy
from .vocabulary import DEFAULT_FUNDAMENTALS, ENGAGEMENT_AREAS, SCALE_PRESETS, Ending, Novelty, Phase, Rates, Technique

USUAL_MINUTES = (1, 60)
LONGEST_MINUTES = 300
CLOCK_SLACK = timedelta(minutes=5)


# --- The organisation's catalogue and scales -------------------------------------------------------------


@transaction.atomic
def organisation_practice_setup(*, organisation: Organisation) -> None:
    """Give a new organisation the default Fundamentals and the scale presets (idempotent)."""
    if not organisation.fundamentals.exists():
        Fundamental.objects.bulk_create(
            Fundamental(organisation=organisation, name=name, area=area, position=i)
            for i, (area, name) in enumerate(DEFAULT_FUNDAMENTALS)
        )
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


def _require_manage_catalogue(actor: Membership) -> None:
    if not fundamental_policy.role_may(actor, "manage"):
        raise PermissionDenied("Only co-ordinators and administrators can change the Fundamentals.")


def _clean_fundamental_name(actor: Membership, name: str, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Please give the Fundamental a name."})
    if len(name) > 200:
        raise ValidationError({"name": "Please keep the name under 200 characters."})
    clash = Fundamental.objects.filter(organisation_id=actor.organisation_id, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a Fundamental called “{name}”."})
    return name


@transaction.atomic
def fundamental_add(*, actor: Membership, name: str, area: str) -> Fundamental:
    _require_manage_catalogue(actor)
    name = _clean_fundamental_name(actor, name)
    last = Fundamental.objects.filter(organisation_id=actor.organisation_id).aggregate(m=Max("position"))["m"]
    fundamental = Fundamental.objects.create(
        organisation_id=actor.organisation_id, name=name, area=area, position=(last or 0) + 1
    )
    audit_record(actor=actor, action="fundamental.added", target=fundamental)
    return fundamental


def fundamental_edit_token(fundamental: Fundamental) -> str:
    return edit_token(fundamental.name)


@transaction.atomic
def fundamental_rename(
    *, actor: Membership, fundamental: Fundamental, name: str, version: str | None = None
) -> Fundamental:
    """`version` is the edit token from when the rename box was drawn (see attunement.edits)."""
    _require_manage_catalogue(actor)
    fundamental_policy.require(actor, "manage", fundamental, "That Fundamental is not in your organisation.")
    fundamental = Fundamental.objects.select_for_update().get(pk=fundamental.pk)
    require_unchanged(version, fundamental_edit_token(fundamental), "this Fundamental's name")
    fundamental.name = _clean_fundamental_name(actor, name, exclude_pk=fundamental.pk)
    fundamental.save(update_fields=["name"])
    audit_record(actor=actor, action="fundamental.renamed", target=fundamental)
    return fundamental


@transaction.atomic
def fundamental_set_retired(*, actor: Membership, fundamental: Fundamental, retired: bool) -> Fundamental:
    """Retiring hides a Fundamental from new sessions and reviews; past records keep it."""
    _require_manage_catalogue(actor)
    fundamental_policy.require(actor, "manage", fundamental, "That Fundamental is not in your organisation.")
    fundamental.retired_at = timezone.now() if retired else None
    fundamental.save(update_fields=["retired_at"])
    audit_record(actor=actor, action="fundamental.retired" if retired else "fundamental.restored", target=fundamental)
    return fundamental


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
    minutes = details.minutes
    if minutes is None or minutes < USUAL_MINUTES[0]:
        errors["minutes"] = "Please enter how many minutes the session lasted: at least 1."
    elif minutes > LONGEST_MINUTES:
        errors["minutes"] = f"{minutes} minutes is more than five hours. Please check the number of minutes."
    elif minutes > USUAL_MINUTES[1] and not details.long_session_confirmed:
        errors["minutes"] = (
            f"{minutes} minutes is longer than most sessions (usually 5 to 30 minutes). "
            "If that is right, tick “Yes, it really lasted this long” and save again."
        )
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
    fundamentals = Fundamental.objects.filter(organisation_id=learner.organisation_id, pk__in=details.fundamental_ids)
    if len(set(details.fundamental_ids)) != fundamentals.count():
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


def saved_once(model, submission_key: uuid.UUID | None, owner_id: int, create) -> tuple[object, bool]:
    """Run `create` (itself atomic) unless a record already carries this form's submission key.

    Returns the record and whether it had already been saved. Two posts racing each other meet the unique
    constraint on the key: the loser gets the winner's record. A key used by someone else is refused.
    """

    def existing():
        return model.objects.filter(submission_key=submission_key).first() if submission_key else None

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
    learner_policy.require(actor, "record_session", learner, "You are not assigned to this person.")
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
    session.partners.set(details.partner_ids or [actor.user_id])
    session.fundamentals.set(details.fundamental_ids)
    session.outcomes.set(details.outcome_ids)
    ObservedBehaviour.objects.bulk_create(
        ObservedBehaviour(session=session, description=text, novelty=novelty) for text, novelty in behaviours
    )
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
    learner_policy.require(actor, "review_progress", learner, "You are not assigned to this person.")
    errors = {}
    if scale.organisation_id != learner.organisation_id:
        errors["scale"] = "Please choose one of your organisation's scales."
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "The review date is in the future. Please check it."
    if not ratings:
        errors["ratings"] = "Please rate at least one item before saving the review."
    levels = set(scale.levels.values_list("pk", flat=True))
    allowed_fundamentals = set(
        Fundamental.objects.filter(organisation_id=learner.organisation_id, retired_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    allowed_areas = {code for code, _ in ENGAGEMENT_AREAS}
    evidence_allowed = set(Session.objects.filter(learner=learner).values_list("pk", flat=True))
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
    review = ProgressReview.objects.create(
        learner=learner,
        scale=scale,
        reviewed_on=reviewed_on,
        period_label=period_label.strip(),
        summary=summary.strip(),
        reviewer_id=actor.user_id,
        submission_key=submission_key,
    )
    review.outcomes.set(outcomes)
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


def scale_edit_token(scale: ProgressScale) -> str:
    return edit_token(list(scale.levels.order_by("pk").values_list("pk", "label", "description")))


@transaction.atomic
def scale_wording_update(
    *, actor: Membership, scale: ProgressScale, wording: dict[int, tuple[str, str]], version: str | None = None
) -> None:
    """Let an organisation word a scale's levels its own way. Past ratings keep their level, shown in the new words.
    `version` is the edit token from when the form was drawn (see attunement.edits)."""
    if not fundamental_policy.role_may(actor, "manage") or scale.organisation_id != actor.organisation_id:
        raise PermissionDenied("Only co-ordinators and administrators can change the scales.")
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
    return edit_token(organisation.learner_word, organisation.weekly_session_target, organisation.progress_scale_id)


@transaction.atomic
def organisation_settings_update(
    *,
    actor: Membership,
    learner_word: str,
    weekly_session_target: int,
    progress_scale: ProgressScale,
    version: str | None = None,
) -> Organisation:
    """`version` is the edit token from when the form was drawn (see attunement.edits)."""
    if not fundamental_policy.role_may(actor, "manage"):
        raise PermissionDenied("Only co-ordinators and administrators can change these settings.")
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    require_unchanged(version, organisation_settings_token(organisation), "these settings")
    if progress_scale.organisation_id != organisation.pk:
        raise ValidationError({"progress_scale": "Please choose one of your organisation's scales."})
    if not 0 <= weekly_session_target <= 50:
        raise ValidationError({"weekly_session_target": "Please choose a weekly target between 0 and 50."})
    organisation.learner_word = learner_word
    organisation.weekly_session_target = weekly_session_target
    organisation.progress_scale = progress_scale
    organisation.save(update_fields=["learner_word", "weekly_session_target", "progress_scale"])
    audit_record(actor=actor, action="organisation.settings_changed", target=organisation)
    return organisation


# --- Notes from home ---------------------------------------------------------------------------------------


@transaction.atomic
def home_observation_add(*, actor: Membership, learner: Learner, observed_on: date, text: str) -> HomeObservation:
    learner_policy.require(actor, "add_home_observation", learner, "Only family members add notes from home.")
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
        learner=learner, author_id=actor.user_id, observed_on=observed_on, text=text
    )
    audit_record(actor=actor, action="home_observation.created", learner=learner, target=observation)
    return observation


@transaction.atomic
def family_feedback_record(
    *,
    actor: Membership,
    learner: Learner,
    given_on: date,
    scores: dict[str, int],
    comment: str = "",
    may_quote: bool = False,
    given_by_name: str = "",
) -> FamilyFeedback:
    """Feedback from the family: by a family member in the portal, or by staff from a paper form."""
    on_paper = actor.role != Role.FAMILY
    action = "enter_family_feedback" if on_paper else "give_family_feedback"
    learner_policy.require(actor, action, learner, "You cannot record family feedback for this person.")
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
        **{question: scores[question] for question, _ in FAMILY_FEEDBACK_QUESTIONS},
    )
    audit_record(actor=actor, action="family_feedback.created", learner=learner, target=feedback)
    return feedback
