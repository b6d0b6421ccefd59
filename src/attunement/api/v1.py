"""The API, version 1: people, their sessions and progress, the organisation's figures, its members and
invitations.

Every answer comes from the same services, selectors, forms and policies as the pages: a key acts as a member
in its role (see `models.ApiKey`), so it sees and may do exactly what such a member may. Bodies are read by the
pages' own forms (the quick log's for a session, the person form for a person, the invitation and member forms),
so the API accepts exactly what the pages accept and refuses it in the same words.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer

from attunement.edits import EditConflict
from attunement.learners.forms import LearnerForm
from attunement.learners.models import Learner, Need
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import group_get, learner_get, learner_list
from attunement.learners.services import learner_create, learner_update
from attunement.members import selectors as members
from attunement.members import services as membership
from attunement.members.forms import InviteForm, MemberForm, full_name
from attunement.members.models import Invitation
from attunement.members.policies import member_policy
from attunement.organisations.audit import audit_read, audit_record
from attunement.organisations.models import Membership, Role
from attunement.outcomes.dashboard import Scope, ends
from attunement.outcomes.periods import period_from
from attunement.outcomes.policies import may_read_pack, report_policy
from attunement.outcomes.reports import AUDIENCES, group_detail, organisation_pack
from attunement.outcomes.selectors import organisation_summary
from attunement.practice import selectors as practice
from attunement.practice.forms import QuickLogForm
from attunement.practice.services import session_record
from attunement.suppression import Figure

from . import schemas
from .selectors import site_of
from .services import KeyRefused, TooManyRequests, api_key_use

PersonId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
MembershipId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
InvitationId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
Audience = Literal[tuple(AUDIENCES)]  # the packs: inspectors, commissioners, funders, management
NO_KEY = "This address needs an API key. Send it in the Authorization header: “Authorization: Bearer <your key>”."


class KeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`. A known, unrevoked key within its rate limit becomes `request.membership`."""

    def __call__(self, request):
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise KeyRefused(NO_KEY)
        return self.authenticate(request, secret.strip())

    def authenticate(self, request, token):
        request.membership = api_key_use(secret=token, method=request.method, path=request.path)
        return request.membership


api = NinjaAPI(
    title="Attunement API",
    version="1",
    description="People, their sessions and progress, the organisation's anonymised figures, its members and "
    "invitations. Every request needs a key made by an administrator on the API keys page, sent as "
    "`Authorization: Bearer <key>`.",
    auth=KeyAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Every refusal the API can give, so the schema says what each answer looks like.
REFUSALS = {status: schemas.ErrorOut for status in (401, 403, 404, 422, 429)}


def _error(request, status: int, detail: str, problems=(), headers=None):
    response = api.create_response(request, {"detail": detail, "problems": list(problems)}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(KeyRefused)
def _key_refused(request, exc):
    return _error(request, 401, str(exc), headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(AuthenticationError)
def _no_key(request, exc):
    return _error(request, 401, NO_KEY, headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(TooManyRequests)
def _too_many(request, exc):
    return _error(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request, exc):
    return _error(request, 404, "There is no such record, or it is not one you can see.")


@api.exception_handler(EditConflict)
def _conflict(request, exc):
    return _error(request, 409, str(exc))


# The pages' form fields by the names the API uses for them.
API_NAMES = {
    "partners": "partner_ids",
    "fundamentals": "fundamental_ids",
    "outcomes": "outcome_ids",
    "site": "site_id",
    "learners": "person_ids",
    "__all__": "request",
}


def _problems(message_dict) -> list[dict]:
    return [
        {"field": API_NAMES.get(field, field), "message": message}
        for field, messages in message_dict.items()
        for message in messages
    ]


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    problems = _problems(exc.message_dict) if hasattr(exc, "error_dict") else _problems({"__all__": exc.messages})
    return _error(request, 400, "Nothing was saved: please correct the problems listed.", problems)


@api.exception_handler(membership.NotNow)
def _not_now(request, exc):
    problems = _problems(exc.message_dict) if hasattr(exc, "error_dict") else _problems({"__all__": exc.messages})
    return _error(request, 409, " ".join(exc.messages), problems)


@api.exception_handler(SchemaError)
def _malformed(request, exc):
    problems = [
        {"field": ".".join(str(part) for part in error.get("loc", ())) or "request", "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return _error(
        request, 422, "Part of the request is not in the form this address expects. Nothing was saved.", problems
    )


def _form_refused(form) -> ValidationError:
    return ValidationError({field: list(messages) for field, messages in form.errors.items()})


def _person(actor: Membership, person_id: int, action: str) -> Learner:
    """The person, as `learner_page` finds them: 404 outside the actor's scope, 403 if the role may not."""
    learner = learner_get(actor=actor, learner_id=person_id)
    learner_policy.found_in_scope(actor, learner)
    learner_policy.require(actor, action, learner)
    return learner


def _figure(figure: Figure) -> dict:
    return {"kind": figure.kind, "value": figure.value, "words": figure.words}


def _period(period) -> dict:
    return {"since": period.since, "until": period.until}


# --- People ------------------------------------------------------------------------------------------------

people = Router(tags=["People"])


@people.get("", response={200: schemas.PeoplePage, **REFUSALS}, summary="List the people", url_name="people")
def people_list(
    request,
    site: int | None = Query(None, ge=1, le=schemas.MAX_ID, description="Only the people at this site."),
    group: int | None = Query(None, ge=1, le=schemas.MAX_ID, description="Only the people in this class or group."),
    search: str = Query("", max_length=100, description="Part of a first, last or preferred name."),
    include_left: bool = Query(False, description="Include people the organisation no longer supports."),
    page: int = Query(1, ge=1, le=99_999),
):
    """The people the key may see, 60 a page, by first name."""
    actor = request.membership
    learner_policy.require(actor, "view", message="Your role sees anonymised figures only.")
    found = learner_list(
        actor=actor, search=search.strip(), include_inactive=include_left, page=page, site_id=site, group_id=group
    )
    listed = [
        {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "preferred_name": person.preferred_name,
            "is_active": person.is_active,
            "left_on": person.left_on,
            "site": person.site,
        }
        for person in found.people
    ]
    return {"people": listed, "page": found.number, "has_next": found.has_next}


def _person_out(learner: Learner) -> dict:
    return {
        "id": learner.pk,
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "preferred_name": learner.preferred_name,
        "date_of_birth": learner.date_of_birth,
        "needs": list(learner.needs or []),
        "site": {"id": learner.site.pk, "name": learner.site.name} if learner.site else None,
        "group": {"id": learner.group.pk, "name": learner.group.name} if learner.group else None,
        "identifier": learner.identifier,
        "weekly_session_target": learner.weekly_session_target,
        "is_active": learner.is_active,
        "left_on": learner.left_on,
        "version": learner.version,
    }


def _person_form(actor: Membership, values: dict, site_id, current_group=None) -> LearnerForm:
    """The person form of the pages, filled from the API's fields (a change sends every field, unchanged ones as
    they are, so nothing the API does not name is cleared)."""
    data = QueryDict(mutable=True)
    for name in ("first_name", "last_name", "preferred_name", "identifier"):
        data[name] = values.get(name) or ""
    data["group"] = "" if values.get("group_id") is None else str(values["group_id"])
    data["date_of_birth"] = values["date_of_birth"].isoformat() if values.get("date_of_birth") else ""
    data.setlist("needs", list(values.get("needs") or []))
    target = values.get("weekly_session_target")
    data["weekly_session_target"] = "" if target is None else str(target)
    data["site"] = "" if site_id is None else str(site_id)
    if values.get("still_supported"):
        data["still_supported"] = "on"
    if "version" in values:
        data["version"] = str(values["version"])
    form = LearnerForm(data, organisation=actor.organisation, current_group=current_group)
    del form.fields["assigned"]  # links are made on the person's "Who works with" page
    return form


@people.post(
    "", response={201: schemas.PersonOut, 400: schemas.ErrorOut, **REFUSALS}, summary="Add a person", url_name="people"
)
def person_create(request, person: schemas.PersonIn):
    """Add a person, as the “Add a person” page does."""
    actor = request.membership
    learner_policy.require(actor, "create")
    values = person.dict()
    if person.site_id is not None and site_of(actor=actor, site_id=person.site_id) is None:
        raise ValidationError({"site": "Please choose one of your organisation's sites."})
    form = _person_form(actor, values, person.site_id)
    if not form.is_valid():
        raise _form_refused(form)
    details = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "remove_photo", "still_supported")}
    learner = learner_create(actor=actor, **details)
    audit_read(actor=actor, what="details", learner=learner)
    return Status(201, _person_out(learner))


@people.get(
    "/{person_id}", response={200: schemas.PersonOut, **REFUSALS}, summary="Read a person's details", url_name="person"
)
def person_read(request, person_id: PersonId):
    """One person's details."""
    actor = request.membership
    learner = _person(actor, person_id, "view")
    audit_read(actor=actor, what="details", learner=learner)
    return _person_out(learner)


@people.patch(
    "/{person_id}",
    response={200: schemas.PersonOut, 400: schemas.ErrorOut, 409: schemas.ErrorOut, **REFUSALS},
    summary="Change a person's details",
    url_name="person",
)
def person_change(request, person_id: PersonId, change: schemas.PersonChange):
    """Change a person's details. Send the `version` read with them: if someone changed them since, nothing is
    saved and the answer is 409."""
    actor = request.membership
    learner = _person(actor, person_id, "edit")
    given = change.dict(exclude_unset=True)
    values = {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "preferred_name": learner.preferred_name,
        "date_of_birth": learner.date_of_birth,
        "needs": learner.needs,
        "weekly_session_target": learner.weekly_session_target,
        "still_supported": learner.is_active,
        "identifier": learner.identifier,
        "group_id": learner.group_id,
        **given,
    }
    site_id = given["site_id"] if "site_id" in given else learner.site_id
    if "site_id" in given and site_id is not None and site_of(actor=actor, site_id=site_id) is None:
        raise ValidationError({"site": "Please choose one of your organisation's sites."})
    form = _person_form(actor, values, site_id, current_group=learner.group)
    if not form.is_valid():
        raise _form_refused(form)
    learner = learner_update(actor=actor, learner=learner, **form.cleaned_data)
    audit_read(actor=actor, what="details", learner=learner)
    return _person_out(learner_get(actor=actor, learner_id=learner.pk))


# --- Sessions -----------------------------------------------------------------------------------------------

SESSIONS_PER_PAGE = 50


def _session_out(session) -> dict:
    return {
        "id": session.pk,
        "started_at": session.started_at,
        "minutes": session.minutes,
        "place": session.place,
        "planned": session.planned,
        "partners": [{"id": user.pk, "name": str(user)} for user in session.partners.all()],
        "phases": list(session.phases),
        "techniques": list(session.techniques),
        "fundamentals": [{"id": f.pk, "name": f.name} for f in session.fundamentals.all()],
        "enjoyment": session.enjoyment,
        "ending": session.ending,
        "ending_reason": session.ending_reason,
        "what_happened": session.what_happened,
        "significant_moment": session.significant_moment,
        "how_i_did": session.how_i_did,
        "next_time": session.next_time,
        "firsts": [behaviour.description for behaviour in session.firsts],
        "corrected": session.was_corrected,
    }


@people.get(
    "/{person_id}/sessions",
    response={200: schemas.SessionsPage, **REFUSALS},
    summary="List a person's sessions",
    url_name="sessions",
)
def sessions_list(
    request,
    person_id: PersonId,
    since: str = Query("", description="YYYY-MM-DD: sessions from this day."),
    until: str = Query("", description="YYYY-MM-DD: sessions up to this day."),
    firsts_only: bool = Query(False, description="Only sessions in which something was seen for the first time."),
    page: int = Query(1, ge=1, le=99_999),
):
    """A person's sessions, newest first, 50 a page, as their timeline shows them (withdrawn ones left out)."""
    actor = request.membership
    learner = _person(actor, person_id, "view_records")
    filters = practice.TimelineFilter(since=_day(since, "since"), until=_day(until, "until"), new_only=firsts_only)
    start = (page - 1) * SESSIONS_PER_PAGE
    rows = list(
        practice.learner_timeline(actor=actor, learner=learner, filters=filters)[start : start + SESSIONS_PER_PAGE + 1]
    )
    audit_read(actor=actor, what="timeline", learner=learner)
    return {
        "sessions": [_session_out(s) for s in rows[:SESSIONS_PER_PAGE]],
        "page": page,
        "has_next": len(rows) > SESSIONS_PER_PAGE,
    }


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: "Please give the day as YYYY-MM-DD, for example 2026-09-01."}) from None


def _quick_log_data(session: schemas.SessionIn) -> QueryDict:
    """The quick log's fields, filled from the API's: its form then checks them exactly as on the page."""
    data = QueryDict(mutable=True)
    data["submission_key"] = str(session.submission_key)
    started = session.started_at
    try:
        if timezone.is_naive(started):
            started = timezone.make_aware(started)
        # With its offset, so a time in the hour that happens twice when the clocks go back keeps the one it was.
        data["started_at"] = timezone.localtime(started).replace(second=0, microsecond=0).isoformat()
    except (OverflowError, ValueError):
        data["started_at"] = "not a time this server can keep"
    data["minutes"] = str(session.minutes)
    if session.long_session_confirmed:
        data["long_session_confirmed"] = "on"
    data["planned"] = "true" if session.planned else "false"
    data.setlist("partners", [str(pk) for pk in session.partner_ids])
    data.setlist("fundamentals", [str(pk) for pk in session.fundamental_ids])
    data.setlist("outcomes", [str(pk) for pk in session.outcome_ids])
    data.setlist("phases", list(session.phases))
    data.setlist("techniques", list(session.techniques))
    data["enjoyment"] = "" if session.enjoyment is None else str(session.enjoyment)
    for name in ("place", "ending", "ending_reason", "what_happened", "significant_moment", "how_i_did", "next_time"):
        data[name] = getattr(session, name)
    for index, behaviour in enumerate(session.behaviours):
        data[f"behaviour-{index}-text"] = behaviour.description
        data[f"behaviour-{index}-novelty"] = behaviour.novelty
        if behaviour.confirmed_new:
            data[f"behaviour-{index}-seen"] = "new"
            data[f"behaviour-{index}-checked"] = behaviour.description
    return data


@people.post(
    "/{person_id}/sessions",
    response={200: schemas.SessionSaved, 201: schemas.SessionSaved, 400: schemas.ErrorOut, **REFUSALS},
    summary="Record a session",
    url_name="sessions",
)
def session_create(request, person_id: PersonId, session: schemas.SessionIn):
    """Record a session, as the quick log does. The answer is 201 with the new session, or 200 with the session
    already saved with this `submission_key`: sending a session twice records it once."""
    actor = request.membership
    learner = _person(actor, person_id, "record_session")
    form = QuickLogForm(
        _quick_log_data(session), actor=actor, learner=learner, outcomes=practice.active_outcomes(learner=learner)
    )
    if not form.is_valid():
        raise _form_refused(form)
    recorded = session_record(
        actor=actor, learner=learner, details=form.to_details(), submission_key=form.cleaned_data["submission_key"]
    )
    saved = recorded.session
    shown = practice.learner_timeline(actor=actor, learner=learner).filter(pk=saved.pk).first()
    audit_read(actor=actor, what="session", learner=learner, target_type="Session", target_id=saved.pk)
    answer = {
        "id": saved.pk,
        "already_saved": recorded.already_saved,
        "withdrawn": saved.is_withdrawn,
        "session": _session_out(shown) if shown is not None else None,
    }
    return Status(200 if recorded.already_saved else 201, answer)


# --- Progress -----------------------------------------------------------------------------------------------


@people.get(
    "/{person_id}/progress",
    response={200: schemas.ProgressOut, **REFUSALS},
    summary="A person's progress",
    url_name="progress",
)
def progress(
    request,
    person_id: PersonId,
    scale: int | None = Query(None, ge=1, le=schemas.MAX_ID, description="A scale's id; empty: the usual one."),
):
    """What the person's progress page shows: each item's level at each review on a scale, their sessions in each
    of the last 12 weeks against their target, and the Fundamentals seen in that time."""
    actor = request.membership
    learner = _person(actor, person_id, "view_records")
    scales = list(practice.scales_of(learner.organisation))
    chosen = next((s for s in scales if s.pk == scale), None) or practice.current_scale(learner.organisation)
    chosen = chosen or scales[0]
    series = practice.progress_series(actor=actor, learner=learner, scale=chosen)
    since = timezone.localdate() - timedelta(weeks=12)
    answer = {
        "scale": {"id": chosen.pk, "name": chosen.name},
        "levels": [level.label for level in chosen.levels.all()],
        "items": [
            {
                "name": item["name"],
                "points": [
                    {"date": p["date"], "level": p["label"], "position": p["position"], "review_id": p["review_id"]}
                    for p in item["points"]
                ],
            }
            for item in series
        ],
        "weeks": practice.weekly_session_counts(learner=learner),
        "fundamentals_seen": practice.fundamentals_seen(actor=actor, learner=learner, since=since),
        "since": since,
    }
    audit_read(actor=actor, what="progress", learner=learner)
    return answer


# --- The organisation's figures ----------------------------------------------------------------------------

organisation = Router(tags=["Organisation"])


@organisation.get(
    "/summary", response={200: schemas.SummaryOut, **REFUSALS}, summary="The anonymised summary", url_name="summary"
)
def summary(request):
    """The anonymised summary of the last 12 whole weeks, as inspectors, commissioners and funders see it: any
    figure about fewer than 5 people is hidden."""
    actor = request.membership
    report_policy.require(actor, "view_summary")
    figures = organisation_summary(organisation=actor.organisation)
    audit_record(
        actor=actor,
        action="organisation_summary.read",
        detail={"report": "summary", "title": "Organisation summary", "format": "api"},
    )
    since, until = figures["period"]
    return {
        "threshold": figures["threshold"],
        "weeks": figures["weeks"],
        "period": {"since": since, "until": until},
        "people": _figure(figures["people"]),
        "enough_people": figures["enough_people"],
        "sessions_total": _figure(figures["sessions_total"]),
        "sessions_per_person_week": _figure(figures["sessions_per_person_week"]),
        "target_met": _figure(figures["target_rows"]["met"]),
        "target_not_met": _figure(figures["target_rows"]["not_met"]),
        "with_new": _figure(figures["with_new"]),
    }


@organisation.get(
    "/packs/{audience}", response={200: schemas.PackOut, **REFUSALS}, summary="An anonymised pack", url_name="pack"
)
def pack(
    request,
    audience: Audience,
    since: str = Query("", description="YYYY-MM-DD; with `until`, the period (the last year if neither)."),
    until: str = Query("", description="YYYY-MM-DD"),
    group: int | None = Query(
        None,
        ge=1,
        le=schemas.MAX_ID,
        description="Narrows the figures about people to those in this class or group now; staff figures stay "
        "the whole organisation's. For keys with a staff role.",
    ),
):
    """An anonymised pack: `inspectors`, `commissioners`, `funders` or `management`, with the same figures, the
    same hidden small numbers and the same words as the PDF."""
    actor = request.membership
    if audience not in AUDIENCES:
        raise Http404
    if not may_read_pack(actor, audience):
        raise PermissionDenied("This report is not for your role.")
    period, note = period_from({"since": since, "until": until})
    chosen = group_get(actor=actor, group_id=group) if group is not None else None
    built = organisation_pack(organisation=actor.organisation, period=period, audience=audience, group=chosen)
    audit_record(
        actor=actor,
        action=f"{audience}_report.read",
        detail={"report": audience, "title": built["title"], "format": "api"} | group_detail(chosen),
    )
    return {
        "title": built["title"],
        "audience": audience,
        "group": {"id": chosen.pk, "name": chosen.name} if chosen else None,
        "withheld": built["withheld"],
        "period": _period(period),
        "note": note,
        "framework": built["framework"],
        "enough": built["enough"],
        "sections": [
            {
                "heading": section["heading"],
                "about": section["about"],
                "figures": [
                    {
                        "key": line["key"],
                        "label": line["label"],
                        "figure": _figure(line["figure"]),
                        "means": line["means"],
                        "rows": [{"label": label, "figure": _figure(figure)} for label, figure in line["rows"]],
                        "evidence": line["evidence"],
                    }
                    for line in section["figures"]
                ],
            }
            for section in built["sections"]
        ],
    }


@organisation.get(
    "/dashboard",
    response={200: schemas.DashboardOut, **REFUSALS},
    summary="The dashboard's figures",
    url_name="dashboard",
)
def dashboard(
    request,
    site: int | None = Query(None, ge=1, le=schemas.MAX_ID, description="Only the people at this site."),
    group: int | None = Query(None, ge=1, le=schemas.MAX_ID, description="Only the people in this class or group."),
    need: str = Query("", description="Only the people with this need (autism, pmld, sld, msi, gdd, ccn)."),
    since: str = Query("", description="YYYY-MM-DD; with `until`, the period (the last year if neither)."),
    until: str = Query("", description="YYYY-MM-DD"),
):
    """The ends the leaders' dashboard shows, for the organisation, a site or a group: people, sessions month by
    month, how progress moved, and weeks against target. For leaders inside the organisation, so nothing is
    hidden, as on the dashboard."""
    actor = request.membership
    report_policy.require(actor, "view_dashboard")
    period, note = period_from({"since": since, "until": until})
    site_id = site if site is not None and site_of(actor=actor, site_id=site) is not None else None
    group_id = group_get(actor=actor, group_id=group).pk if group is not None else None
    scope = Scope(site_id=site_id, need=need if need in Need.values else "", group_id=group_id)
    figures = ends(actor=actor, scope=scope, period=period)
    audit_record(actor=actor, action="dashboard.read", detail={"format": "api"})
    return {
        "period": _period(period),
        "note": note,
        "site_id": scope.site_id,
        "group_id": scope.group_id,
        "need": scope.need,
        "people": figures["people"],
        "sessions": figures["sessions"],
        "months": figures["months"],
        "progress": {key: value for key, value in figures["progress"].items() if isinstance(value, int)},
        "weeks": len(figures["weeks"]),
        "weeks_reached": figures["weeks_reached"],
        "people_with_plan_outcomes": figures["plans"]["with_outcomes"] or 0,
    }


# --- Members and invitations -------------------------------------------------------------------------------

MEMBERS_PER_PAGE = 50
team = Router(tags=["Members"])
invitations = Router(tags=["Invitations"])


def _rows(queryset, page: int, per_page: int) -> tuple[list, bool]:
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def _site(site) -> dict | None:
    return {"id": site.pk, "name": site.name} if site else None


def _named_people(people) -> list[dict]:
    return [{"id": person.pk, "name": full_name(person)} for person in people]


def _member_listed(member: Membership) -> dict:
    return {
        "id": member.pk,
        "name": str(member.user),
        "email": member.user.email,
        "role": member.role,
        "site": _site(member.site),
        "people": member.people,
        "last_sign_in": member.user.last_login,
        "access_ended": not member.is_active,
        "ended_at": member.ended_at,
    }


def _member_out(actor: Membership, membership_id: int) -> dict:
    member = members.members_of(actor=actor).get(pk=membership_id)
    return {
        **_member_listed(member),
        "linked_people": _named_people(members.linked_people(membership=member).order_by("first_name", "last_name")),
        "member_since": member.created_at,
    }


def _membership_form_data(values: dict) -> QueryDict:
    """The fields of the invitation and member forms of the pages, filled from the API's."""
    data = QueryDict(mutable=True)
    for name in ("email", "first_name", "last_name", "role"):
        data[name] = values.get(name) or ""
    data["site"] = "" if values.get("site_id") is None else str(values["site_id"])
    data.setlist("learners", [str(pk) for pk in values.get("person_ids") or []])
    return data


def _check_choices(actor: Membership, role: str, site_id, current_role: str | None = None) -> None:
    """Refusals the form would word as an unknown choice, given in the policy's words (403) or the service's."""
    if role in Role.values:
        member_policy.require_role_choice(actor, role, current_role)
    if site_id is not None and site_of(actor=actor, site_id=site_id) is None:
        raise ValidationError({"site": "Choose one of your organisation's sites."})


def _accept_link(token: str) -> str:
    """The invitation's link. There is no page request to take the address from, so it is built on SITE_URL, as
    the links in the notification e-mails are."""
    return settings.SITE_URL.rstrip("/") + reverse("members:accept", args=[token])


@team.get("", response={200: schemas.MembersPage, **REFUSALS}, summary="List the members", url_name="members")
def members_list(request, page: int = Query(1, ge=1, le=99_999)):
    """Everyone who is or was a member of the organisation, 50 a page, as the members page lists them: current
    members first, by name. Keys are not members and never appear here."""
    actor = request.membership
    member_policy.require(actor, "view")
    rows, has_next = _rows(members.members_of(actor=actor), page, MEMBERS_PER_PAGE)
    return {"members": [_member_listed(member) for member in rows], "page": page, "has_next": has_next}


@team.get("/{membership_id}", response={200: schemas.MemberOut, **REFUSALS}, summary="Read a member", url_name="member")
def member_read(request, membership_id: MembershipId):
    actor = request.membership
    member_policy.require(actor, "view")
    return _member_out(actor, membership_id)


@team.patch(
    "/{membership_id}",
    response={200: schemas.MemberOut, 400: schemas.ErrorOut, 409: schemas.ErrorOut, **REFUSALS},
    summary="Change a member's role, site or people",
    url_name="member",
)
def member_change(request, membership_id: MembershipId, change: schemas.MemberChange):
    """Change what a member may do, as their page on the members page does. Only what is sent changes."""
    actor = request.membership
    member_policy.require(actor, "change")
    member = members.member_get(actor=actor, membership_id=membership_id)
    given = change.dict(exclude_unset=True)
    values = {
        "role": given.get("role") or member.role,
        "site_id": given["site_id"] if "site_id" in given else member.site_id,
        "person_ids": given.get("person_ids"),
    }
    _check_choices(actor, values["role"], values["site_id"] if "site_id" in given else None, member.role)
    form = MemberForm(_membership_form_data(values), actor=actor)
    if not form.is_valid():
        raise _form_refused(form)
    chosen = form.cleaned_data
    # People left out stay as they are, and are still checked against the new role (a family member needs some).
    people = chosen["learners"] if values["person_ids"] is not None else list(members.linked_people(membership=member))
    membership.change(actor=actor, membership=member, role=chosen["role"], site=chosen.get("site"), learners=people)
    return _member_out(actor, member.pk)


@team.post(
    "/{membership_id}/end-access",
    response={200: schemas.MemberOut, 400: schemas.ErrorOut, **REFUSALS},
    summary="End a member's access",
    url_name="member_end_access",
)
def member_end_access(request, membership_id: MembershipId):
    """End a leaver's access at once: their membership and links to people end, their waiting invitations are
    withdrawn. What they recorded stays, under their name. Ending it again changes nothing."""
    actor = request.membership
    member_policy.require(actor, "end_access")
    member = members.member_get(actor=actor, membership_id=membership_id)
    membership.end_access(actor=actor, membership=member)
    return _member_out(actor, member.pk)


def _invitation_out(invitation: Invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "first_name": invitation.first_name,
        "last_name": invitation.last_name,
        "role": invitation.role,
        "site": _site(invitation.site),
        "people": _named_people(invitation.learners.order_by("first_name", "last_name")),
        "state": invitation.state().value,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "invited_by": str(invitation.invited_by) if invitation.invited_by else None,
    }


@invitations.get(
    "", response={200: schemas.InvitationsPage, **REFUSALS}, summary="List the invitations", url_name="invitations"
)
def invitations_list(request, page: int = Query(1, ge=1, le=99_999)):
    """Invitations not used yet (waiting, expired or withdrawn), newest first, 50 a page."""
    actor = request.membership
    member_policy.require(actor, "view")
    rows, has_next = _rows(members.invitations_of(actor=actor), page, MEMBERS_PER_PAGE)
    return {"invitations": [_invitation_out(invitation) for invitation in rows], "page": page, "has_next": has_next}


@invitations.post(
    "",
    response={201: schemas.InvitationOut, 400: schemas.ErrorOut, 409: schemas.ErrorOut, **REFUSALS},
    summary="Invite someone",
    url_name="invitations",
)
def invitation_create(request, invitation: schemas.InvitationIn):
    """Invite someone by e-mail, as the invitation page does: the e-mail holds a link that works once, for
    INVITATION_DAYS (7 unless set). If the e-mail cannot be sent, nothing is saved (400). 409 if the address is
    already a member or already invited."""
    actor = request.membership
    member_policy.require(actor, "invite")
    values = invitation.dict()
    _check_choices(actor, values["role"], values["site_id"])
    form = InviteForm(_membership_form_data(values), actor=actor)
    if not form.is_valid():
        raise _form_refused(form)
    made = membership.invite(actor=actor, link_for=_accept_link, **form.cleaned_data)
    return Status(201, _invitation_out(made))


@invitations.post(
    "/{invitation_id}/send-again",
    response={200: schemas.InvitationOut, 400: schemas.ErrorOut, 409: schemas.ErrorOut, **REFUSALS},
    summary="Send an invitation again",
    url_name="invitation_send_again",
)
def invitation_send_again(request, invitation_id: InvitationId):
    """A new link, valid for another INVITATION_DAYS; the last link stops working."""
    actor = request.membership
    member_policy.require(actor, "invite")
    invitation = members.invitation_get(actor=actor, invitation_id=invitation_id)
    return _invitation_out(membership.send_again(actor=actor, invitation=invitation, link_for=_accept_link))


@invitations.post(
    "/{invitation_id}/withdraw",
    response={200: schemas.InvitationOut, 409: schemas.ErrorOut, **REFUSALS},
    summary="Withdraw an invitation",
    url_name="invitation_withdraw",
)
def invitation_withdraw(request, invitation_id: InvitationId):
    """The link stops working at once. Withdrawing again changes nothing."""
    actor = request.membership
    member_policy.require(actor, "invite")
    invitation = members.invitation_get(actor=actor, invitation_id=invitation_id)
    return _invitation_out(membership.withdraw(actor=actor, invitation=invitation))


api.add_router("/people", people)
api.add_router("/organisation", organisation)
api.add_router("/members", team)
api.add_router("/invitations", invitations)
