"""Every write of the means: training, supervision and mentoring, champions and the staff self-report.

Each service checks permission through a policy, explains bad input in plain words (ValidationError, keyed
by field where there is one), runs in one transaction and leaves an audit entry.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attunement.catalogue.defaults import add_defaults
from attunement.forms import FileSizeLimit
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation, Site
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.selectors import sessions_visible_to

from .catalogue import COURSES, default_courses
from .dates import add_months, month_start
from .models import (
    AgreedAction,
    Champion,
    ChampionKind,
    Course,
    MeetingKind,
    SelfReport,
    SupervisionMeeting,
    TrainingCompletion,
)
from .policies import (
    agreed_action_policy,
    champion_policy,
    course_policy,
    meeting_policy,
    self_report_policy,
    training_policy,
)
from .vocabulary import SELF_REPORT_ITEMS

CERTIFICATE_SIZE = FileSizeLimit(
    "TRAINING_CERTIFICATE_MAX_BYTES",
    "That file is larger than {limit}. Please choose a smaller one, or a photo of the certificate.",
)
# What the first bytes of each allowed file look like, its content type and the suffix it is stored with.
CERTIFICATE_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
LONGEST_REFRESH_MONTHS = 120
OLDEST_YEARS = 60
MAX_ACTIONS = 20


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _today() -> date:
    return timezone.localdate()


def _require_staff_of(actor: Membership, member: Membership | None, field: str, what: str) -> Membership:
    """The member must be active staff of the actor's own organisation."""
    if member is None:
        raise ValidationError({field: f"Please choose the {what}."})
    if member.organisation_id != actor.organisation_id:
        raise PermissionDenied("That person is not on your organisation's staff.")
    if not member.is_active or member.role not in STAFF_ROLES:
        raise ValidationError({field: f"{member.user} is not a current member of staff. Please choose someone else."})
    return member


def _check_past_date(day: date | None, field: str, missing: str, future: str) -> None:
    if day is None:
        raise ValidationError({field: missing})
    if day > _today():
        raise ValidationError({field: future})
    if day < add_months(_today(), -12 * OLDEST_YEARS):
        raise ValidationError({field: f"That date is more than {OLDEST_YEARS} years ago. Please check it."})


# --- The training catalogue ------------------------------------------------------------------------------


def create_default_courses(organisation: Organisation) -> None:
    """Give a new organisation the default training list (nothing if it has any course already)."""
    add_defaults(Course, organisation.pk, default_courses())


def _refresh_problems(refresh_months: int | None) -> dict[str, str]:
    if refresh_months is not None and not 1 <= refresh_months <= LONGEST_REFRESH_MONTHS:
        return {
            "refresh_months": f"Please give a number of months from 1 to {LONGEST_REFRESH_MONTHS}, "
            "or leave it blank if once is enough."
        }
    return {}


def course_add(*, actor: Membership, name: str, refresh_months: int | None = None, required: bool = False) -> Course:
    return COURSES.add(
        actor=actor,
        name=name,
        errors=_refresh_problems(refresh_months),
        refresh_months=refresh_months or None,
        required=required,
    )


def course_update(
    *,
    actor: Membership,
    course: Course,
    name: str,
    refresh_months: int | None,
    required: bool,
    version: str | None = None,
) -> Course:
    """Rename a course or change how often it is refreshed. Refresher dates follow at once, for past
    completions too, because they are worked out from the course whenever they are shown. `version` is the
    edit token from when the form was drawn (see attunement.edits)."""
    return COURSES.change(
        actor=actor,
        entry=course,
        version=version,
        what="this course",
        name=name,
        check=lambda current: _refresh_problems(refresh_months),
        refresh_months=refresh_months or None,
        required=required,
    )


def course_edit_token(course: Course) -> str:
    return COURSES.edit_token(course)


def course_set_retired(*, actor: Membership, course: Course, retired: bool) -> Course:
    """A retired course leaves the matrix and the form; the training already recorded keeps it."""
    return COURSES.set_retired(actor=actor, entry=course, retired=retired)


# --- Training completions --------------------------------------------------------------------------------


def certificate_kind(upload) -> tuple[str, str]:
    """The content type and suffix of an uploaded certificate, judged by its first bytes, not its name."""
    CERTIFICATE_SIZE.check(upload.size, field="certificate")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, suffix in CERTIFICATE_SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    raise ValidationError({"certificate": "The certificate must be a PDF, a JPEG or a PNG file."})


def _require_may_record_training(actor: Membership, staff: Membership) -> None:
    training_policy.require(actor, "record_own" if staff.pk == actor.pk else "record_any")


@transaction.atomic
def training_completion_record(
    *,
    actor: Membership,
    staff: Membership | None,
    course: Course | None,
    completed_on: date | None,
    provider: str,
    certificate=None,
) -> TrainingCompletion:
    """Record that a member of staff finished a course, with an optional certificate (PDF, JPEG or PNG)."""
    staff = _require_staff_of(actor, staff, "staff", "member of staff")
    _require_may_record_training(actor, staff)
    if course is None:
        raise ValidationError({"course": "Please choose the course."})
    course_policy.require(actor, "view", course)
    if course.is_retired:
        raise ValidationError({"course": f"“{course.name}” is no longer on the training list. Please choose another."})
    _check_past_date(
        completed_on,
        "completed_on",
        "Please give the date the training was finished.",
        "That date is in the future. Please record training once it is done.",
    )
    provider = _one_line(provider)
    if not provider:
        raise ValidationError(
            {"provider": "Please say who gave the training, for example: Intensive Interaction Institute, or in-house."}
        )
    if len(provider) > 200:
        raise ValidationError({"provider": "Please keep the provider under 200 characters."})
    content_type, suffix = certificate_kind(certificate) if certificate else ("", "")

    completion = TrainingCompletion(
        organisation_id=actor.organisation_id,
        staff=staff,
        course=course,
        completed_on=completed_on,
        provider=provider,
        certificate_type=content_type,
        recorded_by_id=actor.user_id,
    )
    if certificate:
        completion.certificate.save(f"certificate{suffix}", certificate, save=False)
    try:
        completion.save()
        audit_record(actor=actor, action="training.recorded", target=completion)
    except Exception:
        if completion.certificate:
            completion.certificate.storage.delete(completion.certificate.name)
        raise
    return completion


# --- Supervision and mentoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """One action agreed at a meeting: for the supervisor or the supervisee, optionally by a date."""

    text: str
    owner: Membership | None
    due_on: date | None = None


def _clean_actions(actions, *, supervisor: Membership, supervisee: Membership, met_on: date) -> list[ActionInput]:
    cleaned = []
    for action in actions:
        text = _one_line(action.text)
        if not text and action.due_on is None:
            continue  # an empty row of the form
        if not text:
            raise ValidationError({"actions": "Please say what was agreed for each action that has a date."})
        if len(text) > 300:
            raise ValidationError({"actions": "Please keep each action under 300 characters."})
        if action.owner is None or action.owner.pk not in (supervisor.pk, supervisee.pk):
            raise ValidationError(
                {"actions": f"“{text}”: an action is for the supervisor or the supervisee. Please choose one."}
            )
        if action.due_on is not None and action.due_on < met_on:
            raise ValidationError({"actions": f"“{text}”: the date it is due is before the meeting. Please check it."})
        cleaned.append(ActionInput(text=text, owner=action.owner, due_on=action.due_on))
    if len(cleaned) > MAX_ACTIONS:
        raise ValidationError({"actions": f"Please agree no more than {MAX_ACTIONS} actions at one meeting."})
    return cleaned


@transaction.atomic
def supervision_meeting_record(
    *,
    actor: Membership,
    supervisor: Membership | None,
    supervisee: Membership | None,
    met_on: date | None,
    kind: str = MeetingKind.SUPERVISION,
    notes: str = "",
    sessions=(),
    actions=(),
) -> SupervisionMeeting:
    """Record a supervision or mentoring meeting, the sessions talked about and the actions agreed.

    Staff record meetings they took part in; leaders record anyone's. The sessions must be ones the
    supervisor may see (and the person recording, who chose them).
    """
    supervisor = _require_staff_of(actor, supervisor, "supervisor", "supervisor or mentor")
    supervisee = _require_staff_of(actor, supervisee, "supervisee", "member of staff who was supervised")
    meeting_policy.require(actor, "record_own" if actor.pk in (supervisor.pk, supervisee.pk) else "record_any")
    if supervisor.pk == supervisee.pk:
        raise ValidationError({"supervisee": "The supervisor and the supervisee must be two different people."})
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": "Please choose the kind of meeting from the list."})
    _check_past_date(
        met_on,
        "met_on",
        "Please give the date of the meeting.",
        "That date is in the future. Please record the meeting once it has happened.",
    )
    notes = (notes or "").strip()
    if len(notes) > 10000:
        raise ValidationError({"notes": "Please keep the notes under 10,000 characters."})
    session_ids = {session.pk for session in sessions}
    if session_ids:
        seen_by_both = sessions_visible_to(supervisor).filter(
            pk__in=sessions_visible_to(actor).filter(pk__in=session_ids).values("pk")
        )
        if seen_by_both.count() != len(session_ids):
            raise ValidationError(
                {
                    "sessions": "One of the sessions chosen is about someone the supervisor does not work with. "
                    "Please choose only sessions the supervisor may see."
                }
            )
    cleaned = _clean_actions(actions, supervisor=supervisor, supervisee=supervisee, met_on=met_on)

    meeting = SupervisionMeeting.objects.create(
        organisation_id=actor.organisation_id,
        kind=kind,
        supervisor=supervisor,
        supervisee=supervisee,
        met_on=met_on,
        notes=notes,
        recorded_by_id=actor.user_id,
    )
    meeting.sessions.set(session_ids)
    AgreedAction.objects.bulk_create(
        AgreedAction(meeting=meeting, text=a.text, owner=a.owner, due_on=a.due_on) for a in cleaned
    )
    audit_record(actor=actor, action="supervision_meeting.recorded", target=meeting)
    return meeting


@transaction.atomic
def agreed_action_set_done(
    *, actor: Membership, action: AgreedAction, done: bool = True, done_on: date | None = None
) -> AgreedAction:
    """Mark an agreed action done (today unless a date is given), or not done after all."""
    agreed_action_policy.require_mark_done(actor, action)
    action = AgreedAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if done:
        done_on = done_on or _today()
        if done_on > _today():
            raise ValidationError({"done_on": "That date is in the future. Please mark it done once it is done."})
        if done_on < action.meeting.met_on:
            raise ValidationError(
                {"done_on": f"This was agreed on {action.meeting.met_on:%-d %B %Y}, so it cannot be done before then."}
            )
        action.done_on = done_on
    else:
        action.done_on = None
    action.save(update_fields=["done_on"])
    audit_record(actor=actor, action="agreed_action.done" if done else "agreed_action.reopened", target=action)
    return action


# --- Champions and co-ordinators -------------------------------------------------------------------------


@transaction.atomic
def champion_appoint(
    *,
    actor: Membership,
    staff: Membership | None,
    site: Site | None = None,
    kind: str = ChampionKind.CHAMPION,
    started_on: date | None = None,
) -> Champion:
    """Name a member of staff as the champion (or co-ordinator) for a site, or for the whole organisation."""
    champion_policy.require(actor, "manage")
    staff = _require_staff_of(actor, staff, "staff", "member of staff")
    if site is not None and site.organisation_id != actor.organisation_id:
        raise PermissionDenied("That site is not in your organisation.")
    if kind not in ChampionKind.values:
        raise ValidationError({"kind": "Please choose champion or co-ordinator."})
    started_on = started_on or _today()
    if started_on > _today() + timedelta(days=366):
        raise ValidationError({"started_on": "That start date is more than a year away. Please check it."})
    current = Champion.objects.select_for_update().filter(
        organisation_id=actor.organisation_id, site=site, staff=staff, kind=kind, ended_on__isnull=True
    )
    if current.exists():
        where = site.name if site else "the whole organisation"
        raise ValidationError(f"{staff.user} is already the {ChampionKind(kind).label.lower()} for {where}.")
    champion = Champion.objects.create(
        organisation_id=actor.organisation_id, site=site, staff=staff, kind=kind, started_on=started_on
    )
    audit_record(actor=actor, action="champion.appointed", target=champion)
    return champion


@transaction.atomic
def champion_stand_down(*, actor: Membership, champion: Champion) -> Champion:
    """The member of staff is no longer the champion from today. The record of who it was stays."""
    champion_policy.require(actor, "manage", champion)
    champion = Champion.objects.select_for_update().get(pk=champion.pk)
    if champion.ended_on is not None:
        raise ValidationError(f"This was already ended on {champion.ended_on:%-d %B %Y}.")
    champion.ended_on = max(_today(), champion.started_on)
    champion.save(update_fields=["ended_on"])
    audit_record(actor=actor, action="champion.stood_down", target=champion)
    return champion


# --- Staff self-report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedReport:
    report: SelfReport
    replaced_at: datetime | None  # when the answers it replaced were given, if this month had some already


@transaction.atomic
def self_report_submit(
    *, actor: Membership, confidence: int | None, fulfilment: int | None, burnout: int | None, support: int | None
) -> SubmittedReport:
    """A member of staff's own answers for this month. A second set in the same month replaces the first.

    The audit entry records that the member answered, never what they answered.
    """
    self_report_policy.require(actor, "submit")
    answers = {"confidence": confidence, "fulfilment": fulfilment, "burnout": burnout, "support": support}
    errors = {}
    for field, statement, _ in SELF_REPORT_ITEMS:
        value = answers[field]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[field] = f"“{statement}”: please choose a number from 1 to 5."
    if errors:
        raise ValidationError(errors)
    month = month_start(_today())
    now = timezone.now()
    report = SelfReport.objects.select_for_update().filter(staff=actor, month=month).first()
    replaced_at = None
    if report is None:
        report = SelfReport.objects.create(
            organisation_id=actor.organisation_id, staff=actor, month=month, submitted_at=now, **answers
        )
    else:
        replaced_at = report.submitted_at
        for field, value in answers.items():
            setattr(report, field, value)
        report.submitted_at = now
        report.save()
    audit_record(actor=actor, action="self_report.replaced" if replaced_at else "self_report.submitted")
    return SubmittedReport(report=report, replaced_at=replaced_at)
