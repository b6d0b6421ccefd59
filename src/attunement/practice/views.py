from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attunement.edits import EditConflict, with_token
from attunement.forms import problems_of
from attunement.learners.access import learner_page
from attunement.learners.naming import distinct_names, names_for_request, shown_name
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import groups_of
from attunement.members.policies import member_policy
from attunement.organisations.access import member_required
from attunement.organisations.forms_util import add_service_errors, catalogue_add
from attunement.organisations.models import Role
from attunement.organisations.policies import sees_whole_organisation
from attunement.organisations.service_calls import errors_onto

from . import charts, offline_queue, selectors, services
from .corrections import _shown, review_in_words, session_in_words
from .forms import (
    MINUTE_CHOICES,
    FundamentalForm,
    OrganisationSettingsForm,
    QuickLogForm,
    RestoreForm,
    ReviewCorrectionForm,
    ReviewForm,
    SessionCorrectionForm,
    TimelineFilterForm,
    WithdrawForm,
)
from .media_views import SessionMediaForm, keep_checked
from .models import ProgressReview, Session
from .page_parts import home_parts, leading_parts, progress_parts, session_parts
from .policies import correction_refusal, fundamental_policy, may_see_withdrawn, practice_settings_policy, scale_policy
from .session_media import attach_media, may_delete_media, media_refusal
from .vocabulary import Rates

DRAFT_SAVED_KEY = "draft_to_clear"


@member_required
@require_safe
def home(request):
    actor = request.membership
    if actor.role == Role.FAMILY:
        return redirect("practice:family")
    if actor.role == Role.EXTERNAL:
        return redirect("outcomes:summary")
    this_week = selectors.week_start(timezone.localdate())
    whole_organisation = sees_whole_organisation(actor)
    if whole_organisation:
        people = selectors.learners_furthest_from_target(actor=actor, since=this_week, limit=12)
        counts = {person.pk: person.this_week for person in people}
    else:
        people = selectors.learners_recent_first(actor=actor, limit=12)
        counts = selectors.sessions_per_learner_since(learners=people, since=this_week)
    may_record = learner_policy.role_may(actor, "record_session")
    log_with = _people_to_log_with(actor, people, whole_organisation) if may_record else []
    recent = list(selectors.recent_sessions_by(actor=actor))
    names_for_request(request).work_out([*people, *log_with, *(session.learner for session in recent)])
    return render(
        request,
        "practice/home.html",
        {
            "people": [{"learner": p, "this_week": counts.get(p.pk, 0), "target": p.session_target()} for p in people],
            "whole_organisation": whole_organisation,
            "recent": recent,
            "may_record": may_record,
            "log_with": log_with,
            "leads": fundamental_policy.role_may(actor, "manage"),
            "may_add_people": learner_policy.may_create(actor),
            "may_manage_members": member_policy.role_may(actor, "view"),
            "may_manage_sign_in": member_policy.role_may(actor, "manage_sign_in"),
            "home_parts": home_parts(actor),
            "leading_parts": leading_parts(actor),
        },
    )


LOG_WITH_ON_HOME = 4  # the people the home page offers a one-tap log with


def _people_to_log_with(actor, people, whole_organisation: bool) -> list:
    """The people the home page offers to log a session with in one tap, the one the member last logged with first:
    a practitioner's own people (already listed, last seen first); for those who see the whole organisation, only
    people they have logged with themselves."""
    if not whole_organisation:
        return people[:LOG_WITH_ON_HOME]
    mine = selectors.learners_recent_first(actor=actor, limit=LOG_WITH_ON_HOME)
    return [person for person in mine if person.last_logged is not None]


@member_required
@require_safe
def log_choose_learner(request):
    actor = request.membership
    learner_policy.require(actor, "record_session")
    groups = groups_of(actor=actor)
    wanted = request.GET.get("group", "")
    group = next((g for g in groups if str(g.pk) == wanted), None)
    return render(
        request,
        "practice/log_choose.html",
        {
            "learners": selectors.learners_recent_first(actor=actor, group_id=group.pk if group else None),
            "groups": groups,
            "group": group,
        },
    )


@offline_queue.answers_queue
@learner_page("record_session", reads="log_form", methods=("GET", "POST"))
def quick_log(request, learner):
    actor = request.membership
    outcomes = selectors.active_outcomes(learner=learner)
    # What the form preselects and offers first; a form posted back has its own values, so these are read for it
    # only if it has to be shown again.
    suggestions = selectors.quick_log_suggestions(learner=learner) if request.method != "POST" else None
    form = QuickLogForm(request.POST or None, actor=actor, learner=learner, outcomes=outcomes, suggestions=suggestions)
    media_refused = media_refusal(actor, learner)
    media_form = SessionMediaForm(request.POST or None, request.FILES or None)
    background = offline_queue.in_background(request)
    if request.method == "POST" and _media_checked(form, media_form, media_refused, shown=not background):
        with errors_onto(form):
            recorded = services.session_record(
                actor=actor,
                learner=learner,
                details=form.to_details(),
                submission_key=form.cleaned_data["submission_key"],
            )
            if not recorded.already_saved:
                _keep_media(request, actor, recorded.session, media_form)
            if background:  # a save kept on the tablet: answered in JSON, no message
                return offline_queue.saved(
                    url=reverse("practice:timeline", args=[learner.pk]), already_saved=recorded.already_saved
                )
            if recorded.already_saved and recorded.session.is_withdrawn:
                messages.info(request, "This session was already saved and then withdrawn, so it was not saved again.")
            elif recorded.already_saved:
                messages.info(request, "This session was already saved — it has not been saved twice.")
            else:
                messages.success(request, f"Session with {shown_name(request, learner)} saved.")
            request.session[DRAFT_SAVED_KEY] = request.path
            return redirect("practice:timeline", learner_id=learner.pk)
    if request.method == "POST" and background:
        return offline_queue.refused(form)
    partner_search = _offer_partners(request, form, "partners", learner)  # only the page shown needs the choices
    if form.suggestions is None:
        form.suggestions = selectors.quick_log_suggestions(learner=learner)
    usual = form.suggestions.usual
    return render(
        request,
        "practice/quick_log.html",
        {
            "form": form,
            "learner": learner,
            "usual": usual,
            "minute_choices": sorted({*MINUTE_CHOICES, usual.minutes}),
            "time_zone": timezone.get_current_timezone_name(),
            "places": selectors.place_suggestions(actor=actor, learner=learner),
            "behaviour_suggestions": selectors.behaviour_suggestions(learner=learner),
            "seen_before_hints": selectors.seen_before_hints(learner=learner),
            "next_behaviour_index": max(row["index"] for row in form.behaviour_rows) + 1,
            "partner_search": partner_search,
            "media_form": media_form,
            "media_refused": media_refused,
        },
        status=400 if form.errors else 200,
    )


def _media_checked(form, media_form, media_refused, *, shown: bool) -> bool:
    """Whether the session and its optional photo, voice note or clip may be saved. A file that cannot be taken
    keeps the whole form from saving, with the reason, so nothing is half-saved. On a page `shown` again the
    reason is beside the file's box; for a save sent from the tablet's queue it is one of the form's own."""
    valid = form.is_valid()
    if not media_form.has_files():
        return valid
    if media_refused is not None:
        form.add_error(None, media_refused)
        return False
    if not media_form.is_valid():
        if shown:
            form.add_error(None, "A photo, voice note or clip could not be taken: see below, in the part about them.")
        else:
            for problem in problems_of(media_form):
                form.add_error(None, problem.text)
        return False
    return valid


def _keep_media(request, actor, session, media_form) -> None:
    try:
        keep_checked(actor, session, media_form)
    except ValidationError as problem:
        messages.warning(
            request, f"The session was saved, but not its photo or recording: {' '.join(problem.messages)}"
        )


def _offer_partners(request, form, field: str, learner, empty_label: str | None = None) -> str:
    """Offer in the form's partner picker only the staff around this person (selectors.partners_to_offer), plus
    whoever the member looked for with `?partner_search=`; the field still accepts any member of staff. Returns
    the search, to show it again."""
    search = request.GET.get("partner_search", "").strip()[:100]
    chosen = form[field].value()
    chosen = chosen if isinstance(chosen, list | tuple) else [chosen]
    people = selectors.partners_to_offer(actor=request.membership, learner=learner, chosen=chosen, search=search)
    choices = [(person.pk, str(person)) for person in people]
    form.fields[field].widget.choices = [("", empty_label), *choices] if empty_label is not None else choices
    return search


@learner_page("view_records", reads="timeline")
def timeline(request, learner):
    actor = request.membership
    filter_form = TimelineFilterForm(request.GET or None, learner=learner)
    _offer_partners(request, filter_form, "partner", learner, empty_label="Any partner")
    filters = selectors.TimelineFilter()
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = selectors.TimelineFilter(
            partner_id=data["partner"].pk if data["partner"] else None,
            fundamental_id=data["fundamental"].pk if data["fundamental"] else None,
            since=data["since"],
            until=data["until"],
            new_only=data["new_only"],
        )
    page = Paginator(selectors.learner_timeline(actor=actor, learner=learner, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    sessions = list(page.object_list)
    attach_media(actor, sessions)
    weeks = selectors.weekly_session_counts(learner=learner)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "practice/timeline.html",
        {
            "learner": learner,
            "page": page,
            "sessions": sessions,
            "filter_form": filter_form,
            "query": query.urlencode(),
            "weeks": weeks,
            "chart": charts.weekly_bars(weeks),
            "home_notes": selectors.home_observations_of(actor=actor, learner=learner),
            # A copy kept on the tablet is opened later: it must never tell the tablet to forget a draft then.
            "clear_draft": "" if getattr(request, "offline_copy", False) else request.session.pop(DRAFT_SAVED_KEY, ""),
        },
    )


@learner_page("view_records", reads="session")
def session_detail(request, learner, session_id):
    try:
        session = selectors.session_on_page(actor=request.membership, learner=learner, session_id=session_id)
    except Session.DoesNotExist:
        raise Http404("No such session.") from None
    return render(
        request,
        "practice/session_detail.html",
        {
            "learner": learner,
            "session": session,
            "session_parts": session_parts(request.membership, session),
            **_media_context(request.membership, learner, session),
            "clear_draft": request.session.pop(DRAFT_SAVED_KEY, ""),
            **_correction_context(request.membership, session),
        },
    )


def _media_context(actor, learner, session) -> dict:
    """The session's photos, voice notes and clips (each marked when the actor may delete it), and whether more may
    be added here (or why not)."""
    attach_media(actor, [session])
    for item in session.shown_media:
        item.session = session  # already at hand: the rule asks whose session it is
        item.may_delete = may_delete_media(actor, item)
    may_record = learner_policy.allows(actor, "record_session", learner) and not session.is_withdrawn
    return {
        "media": session.shown_media,
        "may_add_media": may_record,
        "media_refused": media_refusal(actor, learner) if may_record else None,
        "media_form": SessionMediaForm(),
    }


def _correction_context(actor, record) -> dict:
    """What a record's page shows about corrections: its history, and the buttons or why there are none."""
    refusal = correction_refusal(actor, record)
    return {
        "history": selectors.record_history(record),
        "may_correct": refusal is None,
        # Only the person who saved it is told why they no longer may; for others there is simply no button.
        "correction_refusal": refusal if record.owner_id == actor.user_id and not record.is_withdrawn else "",
        "may_restore": record.is_withdrawn and may_see_withdrawn(actor),
    }


@learner_page("view_records", reads="progress")
def progress(request, learner):
    actor = request.membership
    scales = list(selectors.scales_of(learner.organisation))
    scale = _chosen_scale(request, scales, learner)
    levels = [level.label for level in scale.levels.all()]
    series = selectors.progress_series(actor=actor, learner=learner, scale=scale)
    for item in series:
        item["chart"] = charts.level_steps(item["points"], levels)
    since = timezone.localdate() - timedelta(weeks=12)
    seen = selectors.fundamentals_seen(actor=actor, learner=learner, since=since)
    return render(
        request,
        "practice/progress.html",
        {
            "learner": learner,
            "scale": scale,
            "scales": scales,
            "series": series,
            "seen_chart": charts.seen_bars(seen),
            "since": since,
            "reviews": selectors.reviews_of(actor=actor, learner=learner).filter(scale=scale),
            "may_review": learner_policy.allows(actor, "review_progress", learner),
            "progress_parts": progress_parts(actor, learner),
        },
    )


def _chosen_scale(request, scales, learner):
    wanted = request.GET.get("scale")
    chosen = next((s for s in scales if str(s.pk) == wanted), None)
    return chosen or selectors.current_scale(learner.organisation) or scales[0]


@learner_page("review_progress", reads="progress", methods=("GET", "POST"))
def review_create(request, learner):
    actor = request.membership
    scales = list(selectors.scales_of(learner.organisation))
    scale = _chosen_scale(request, scales, learner)
    candidates = list(
        selectors.evidence_candidates(actor=actor, learner=learner, since=timezone.localdate() - timedelta(days=120))
    )

    def evidence(item):
        fundamental = item["fundamental"]
        return [s for s in candidates if fundamental is None or fundamental in s.fundamentals.all()][:8]

    form = ReviewForm(
        request.POST or None,
        items=selectors.rated_items(scale=scale, organisation=learner.organisation),
        levels=scale.levels.all(),
        outcomes=selectors.active_outcomes(learner=learner),
        latest=_latest_levels(actor, learner, scale),
        evidence=evidence,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_onto(form):
            review = services.review_record(
                actor=actor,
                learner=learner,
                scale=scale,
                ratings=form.ratings(),
                reviewed_on=data["reviewed_on"],
                period_label=data["period_label"],
                summary=data["summary"],
                outcome_ids=[o.pk for o in data["outcomes"]],
                submission_key=data["submission_key"],
            )
            if review.is_withdrawn:  # the same form sent again after the review it saved was withdrawn
                messages.info(request, "This review was already saved and then withdrawn, so it was not saved again.")
            else:
                messages.success(request, "The progress review is saved.")
            return redirect(f"{_progress_url(learner)}?scale={scale.pk}#review-{review.pk}")
    return render(
        request,
        "practice/review_form.html",
        {"learner": learner, "scale": scale, "form": form, "levels": scale.levels.all()},
        status=400 if form.errors else 200,
    )


def _progress_url(learner):
    from django.urls import reverse

    return reverse("practice:progress", kwargs={"learner_id": learner.pk})


def _latest_levels(actor, learner, scale) -> dict[str, str]:
    latest = selectors.reviews_of(actor=actor, learner=learner).filter(scale=scale).first()
    if latest is None:
        return {}
    return {
        (f"fundamental:{r.fundamental_id}" if r.fundamental_id else f"area:{r.area}"): str(r.level_id)
        for r in latest.ratings.all()
    }


@learner_page("view_records", reads="review")
def review_detail(request, learner, review_id):
    try:
        review = selectors.review_on_page(actor=request.membership, learner=learner, review_id=review_id)
    except ProgressReview.DoesNotExist:
        raise Http404("No such review.") from None
    return render(
        request,
        "practice/review_detail.html",
        {"learner": learner, "review": review, **_correction_context(request.membership, review)},
    )


# --- Correcting or withdrawing a saved session or review --------------------------------------------------


def _to_correct(request, learner, model, record_id):
    """The record of this person to correct: 404 if there is none, 403 with the reason in plain words if it was
    withdrawn or the member may not correct it (see policies.correction_refusal)."""
    try:
        record = selectors.record_to_correct(model, learner=learner, record_id=record_id)
    except model.DoesNotExist:
        if selectors.record_was_withdrawn(model, learner=learner, record_id=record_id):  # while the form was open
            raise PermissionDenied("This record has been withdrawn, so it can no longer be changed.") from None
        raise Http404("No such record.") from None
    refusal = correction_refusal(request.membership, record)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return record


def correction_page(model):
    """Put outside `learner_page`: a member who may use the page for the person but may not correct this record
    (see policies.correction_refusal) is refused with 403, in plain words, before the method is looked at, as
    every refusal is. Everything else (who sees the person, the methods, the read entry) is `learner_page`'s."""
    key = "session_id" if model is Session else "review_id"

    def decorate(view):
        @wraps(view)
        def wrapper(request, learner_id, **kwargs):
            actor = getattr(request, "membership", None)
            if actor is not None and (record := _record_of(model, learner_id, kwargs.get(key))) is not None:
                if learner_policy.allows(actor, view.learner_action, record.learner):
                    refusal = correction_refusal(actor, record)
                    if refusal is not None:
                        raise PermissionDenied(refusal)
            return view(request, learner_id, **kwargs)

        def record_allows(member, kwargs) -> bool:
            """The same rule, for the URL walk in the tests."""
            record = _record_of(model, kwargs["learner_id"], kwargs[key])
            return record is not None and correction_refusal(member, record) is None

        wrapper.record_allows = record_allows
        return wrapper

    return decorate


def _record_of(model, learner_id, record_id):
    return selectors.record_for_refusal(model, learner_id=learner_id, record_id=record_id)


@correction_page(Session)
@learner_page("record_session", reads="session", methods=("GET", "POST"))
def session_correct(request, learner, session_id):
    actor = request.membership
    session = _to_correct(request, learner, Session, session_id)

    def form_for(data, version):
        outcomes = selectors.outcomes_to_offer(learner=learner, record=session)
        return SessionCorrectionForm(
            data,
            actor=actor,
            learner=learner,
            outcomes=outcomes,
            session=session,
            people=selectors.people_to_log_for(actor=actor, current=learner),
            version=version,
        )

    form = form_for(request.POST or None, services.session_edit_token(session))
    partner_search = _offer_partners(request, form, "partners", learner)
    saved_now, status = None, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.session_correct(
                actor=actor,
                session=session,
                details=form.to_details(),
                learner=data["learner"],
                version=data["version"],
                reason=data["reason"],
            )
        except EditConflict as error:
            session = selectors.record_as_saved(session)
            form = form_for(with_token(request.POST, services.session_edit_token(session)), "")
            _offer_partners(request, form, "partners", learner)
            form.is_valid()
            add_service_errors(form, error)
            saved_now = _saved_now(session_in_words(session))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _corrected_message(result, "session"))
            request.session[DRAFT_SAVED_KEY] = request.path
            return redirect("practice:session", learner_id=result.record.learner_id, session_id=session.pk)
    return render(
        request,
        "practice/quick_log.html",
        {
            "form": form,
            "learner": learner,
            "editing": session,
            "saved_now": saved_now,
            "minute_choices": MINUTE_CHOICES,
            "places": selectors.place_suggestions(actor=actor, learner=learner),
            "behaviour_suggestions": selectors.behaviour_suggestions(learner=learner),
            "seen_before_hints": selectors.seen_before_hints(learner=learner, editing=session),
            "next_behaviour_index": max(row["index"] for row in form.behaviour_rows) + 1,
            "partner_search": partner_search,
        },
        status=status if saved_now else (400 if form.errors else 200),
    )


def _saved_now(words: dict) -> list[tuple[str, str]]:
    """What the other person saved, field by field, for the clash message above the form."""
    return [(field[:1].upper() + field[1:], _shown(value)) for field, value in words.items()]


def _corrected_message(result, what: str) -> str:
    if result.already_saved:
        return "This correction was already saved — it has not been saved twice."
    if not result.changes:
        return f"Nothing was changed: the {what} is as it was."
    if result.moved_from is not None:
        now, before = result.record.learner, result.moved_from
        names = distinct_names((p.pk, p.first_name, p.preferred_name, p.last_name) for p in (now, before))
        message = f"The session is now recorded for {names[now.pk]}, not {names[before.pk]}".removesuffix(".") + "."
        if result.evidence_removed:
            message += f" It is no longer evidence in {names[before.pk]}'s progress reviews."
        return message
    changed = "; ".join(str(change) for change in result.changes[:3])
    more = f" and {len(result.changes) - 3} more" if len(result.changes) > 3 else ""
    return f"Correction saved: {changed}{more}. The {what}'s history below shows every change."


@correction_page(Session)
@learner_page("record_session", reads="session", methods=("GET", "POST"))
def session_withdraw(request, learner, session_id):
    return _withdraw_page(request, learner, Session, session_id)


@correction_page(ProgressReview)
@learner_page("review_progress", reads="review", methods=("GET", "POST"))
def review_withdraw(request, learner, review_id):
    return _withdraw_page(request, learner, ProgressReview, review_id)


def _withdraw_page(request, learner, model, record_id):
    actor = request.membership
    is_session = model is Session
    already = selectors.withdrawn_record(model, learner=learner, record_id=record_id)
    if already is not None and may_see_withdrawn(actor):  # a withdrawal made by mistake can be undone here
        return _restore_page(request, learner, already, is_session)
    if already is not None and already.withdrawn_by_id == actor.user_id:  # the same form sent twice
        messages.info(request, "This was already withdrawn — nothing more was changed.")
        return redirect("practice:timeline" if is_session else "practice:progress", learner_id=learner.pk)
    if already is None and request.POST.get("action") == "restore":  # "bring it back" sent twice: it is back
        messages.info(request, "This is already back — nothing more was changed.")
        key = "session_id" if is_session else "review_id"
        return redirect(
            "practice:session" if is_session else "practice:review", learner_id=learner.pk, **{key: record_id}
        )
    record = _to_correct(request, learner, model, record_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdraw = services.session_withdraw if is_session else services.review_withdraw
        with errors_onto(form):
            withdraw(actor=actor, **{"session" if is_session else "review": record}, reason=form.cleaned_data["reason"])
            what = "session" if is_session else "progress review"
            messages.success(
                request,
                f"The {what} is withdrawn. It no longer counts anywhere; it is kept, with your reason, in the "
                "audit trail.",
            )
            return redirect("practice:timeline" if is_session else "practice:progress", learner_id=learner.pk)
    return render(
        request,
        "practice/withdraw.html",
        {"learner": learner, "record": record, "is_session": is_session, "form": form},
        status=400 if form.errors else 200,
    )


def _restore_page(request, learner, record, is_session):
    """The withdraw page of a withdrawn record, for those who may bring it back: who withdrew it and why, and a
    form to bring it back with a reason. Sending the withdrawal again (a double tap) changes nothing."""
    page = "practice:session" if is_session else "practice:review"
    key = "session_id" if is_session else "review_id"
    if request.method == "POST" and request.POST.get("action") != "restore":
        if record.withdrawn_by_id == request.membership.user_id:
            messages.info(request, "This was already withdrawn — nothing more was changed.")
        return redirect(page, learner_id=learner.pk, **{key: record.pk})
    form = RestoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.record_restore(actor=request.membership, record=record, reason=form.cleaned_data["reason"])
            what = "session" if is_session else "progress review"
            messages.success(request, f"The {what} is back: it counts again everywhere. Its history says why.")
            return redirect(page, learner_id=learner.pk, **{key: record.pk})
    return render(
        request,
        "practice/restore.html",
        {"learner": learner, "record": record, "is_session": is_session, "form": form, "page": page},
        status=400 if form.errors else 200,
    )


@correction_page(ProgressReview)
@learner_page("review_progress", reads="review", methods=("GET", "POST"))
def review_correct(request, learner, review_id):
    actor = request.membership
    review = _to_correct(request, learner, ProgressReview, review_id)
    scale = review.scale
    kept_by_item: dict[str, set[int]] = {}
    for rating in review.ratings.prefetch_related("evidence"):
        kept_by_item[services.rating_key(rating.fundamental_id, rating.area)] = {s.pk for s in rating.evidence.all()}
    kept = set().union(*kept_by_item.values())
    since = review.reviewed_on - timedelta(days=120)
    candidates = selectors.evidence_to_offer(learner=learner, since=since, until=review.reviewed_on, kept=kept)

    def evidence(item):
        """The sessions already chosen as evidence for this item, and up to 8 more where it was seen."""
        chosen = kept_by_item.get(item["key"], set())
        fundamental = item["fundamental"]
        seen = [
            s for s in candidates if s.pk not in chosen and (fundamental is None or fundamental in s.fundamentals.all())
        ]
        return sorted([s for s in candidates if s.pk in chosen] + seen[:8], key=lambda s: s.started_at, reverse=True)

    def form_for(data, version):
        return ReviewCorrectionForm(
            data,
            review=review,
            version=version,
            items=selectors.rated_items(scale=scale, organisation=learner.organisation),
            levels=scale.levels.all(),
            outcomes=selectors.outcomes_to_offer(learner=learner, record=review),
            latest={},
            evidence=evidence,
        )

    form = form_for(request.POST or None, services.review_edit_token(review))
    saved_now, status = None, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.review_correct(
                actor=actor,
                review=review,
                reviewed_on=data["reviewed_on"],
                ratings=form.ratings(),
                offered=form.offered(),
                period_label=data["period_label"],
                summary=data["summary"],
                outcome_ids=[o.pk for o in data["outcomes"]],
                version=data["version"],
                reason=data["reason"],
            )
        except EditConflict as error:
            review = selectors.record_as_saved(review)
            form = form_for(with_token(request.POST, services.review_edit_token(review)), "")
            form.is_valid()
            add_service_errors(form, error)
            saved_now = _saved_now(review_in_words(review))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _corrected_message(result, "review"))
            return redirect("practice:review", learner_id=learner.pk, review_id=review.pk)
    return render(
        request,
        "practice/review_form.html",
        {
            "learner": learner,
            "scale": scale,
            "form": form,
            "levels": scale.levels.all(),
            "editing": review,
            "saved_now": saved_now,
        },
        status=status if saved_now else (400 if form.errors else 200),
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def fundamentals(request):
    actor = request.membership
    fundamental_policy.require(actor, "view")
    may_manage = fundamental_policy.role_may(actor, "manage")
    form = FundamentalForm(request.POST or None)
    saved = catalogue_add(
        request,
        form=form,
        policy=fundamental_policy,
        add=lambda **data: services.fundamental_add(actor=actor, **data),
        added_message=lambda added: f"“{added.name}” added.",
        redirect_to="practice:fundamentals",
    )
    if saved:
        return saved
    return _fundamentals_page(request, form, may_manage, status=400 if form.errors else 200)


def _fundamentals_page(request, form, may_manage, *, status=200, conflict=None, kept=None):
    """`kept` is a rename refused because someone else renamed it first: (fundamental id, the name typed)."""
    catalogue = list(selectors.fundamentals_catalogue(actor=request.membership))
    for item in catalogue:
        item.edit_token = services.fundamental_edit_token(item)
        item.typed_name = kept[1] if kept and kept[0] == item.pk else None
    return render(
        request,
        "practice/fundamentals.html",
        {
            "catalogue": catalogue,
            "form": form,
            "may_manage": may_manage,
            "rates_fundamentals": Rates.FUNDAMENTALS,
            "conflict": conflict,
        },
        status=status,
    )


@member_required
@require_POST
def fundamental_change(request, fundamental_id):
    actor = request.membership
    fundamental_policy.require(actor, "manage")
    fundamental = get_object_or_404(fundamental_policy.scope(actor), pk=fundamental_id)
    action = request.POST.get("action")
    try:
        if action == "rename":
            services.fundamental_rename(
                actor=actor,
                fundamental=fundamental,
                name=request.POST.get("name", ""),
                version=request.POST.get("version", ""),
            )
            messages.success(request, f"Renamed to “{fundamental.name}”. Past sessions show the new name.")
        elif action in ("retire", "restore"):
            services.fundamental_set_retired(actor=actor, fundamental=fundamental, retired=action == "retire")
            messages.success(request, f"“{fundamental.name}” {'retired' if action == 'retire' else 'is back in use'}.")
        else:
            messages.error(request, "Nothing was changed.")
    except EditConflict as error:
        kept = (fundamental.pk, request.POST.get("name", ""))
        return _fundamentals_page(request, FundamentalForm(), True, status=409, conflict=error.messages, kept=kept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("practice:fundamentals")


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_settings(request):
    actor = request.membership
    practice_settings_policy.require(actor, "manage")
    organisation = actor.organisation
    form = OrganisationSettingsForm(
        request.POST or None,
        organisation=organisation,
        initial={
            "learner_word": organisation.learner_word,
            "weekly_session_target": organisation.weekly_session_target,
            "progress_scale": selectors.current_scale(organisation),
            "correction_days": organisation.correction_days,
            "media_wait_on_tablets": organisation.media_wait_on_tablets,
            "version": services.organisation_settings_token(organisation),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_settings_update(actor=actor, **form.cleaned_data)
        except EditConflict as error:
            organisation.refresh_from_db()
            data = with_token(request.POST, services.organisation_settings_token(organisation))
            form = OrganisationSettingsForm(data, organisation=organisation)
            form.is_valid()
            add_service_errors(form, error)
            saved_now = [
                ("What you call the people you support", organisation.get_learner_word_display() or "The usual word"),
                ("Sessions a week to aim for, per person", organisation.weekly_session_target),
                ("Scale for progress reviews", selectors.current_scale(organisation)),
                ("Days staff may correct their own records", organisation.correction_days),
                (
                    "Photos, voice notes and clips may wait on a tablet",
                    "Yes" if organisation.media_wait_on_tablets else "No",
                ),
            ]
            context = {"form": form, "scales": selectors.scales_of(organisation), "saved_now": saved_now}
            return render(request, "practice/settings.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("practice:settings")
    return render(
        request,
        "practice/settings.html",
        {"form": form, "scales": selectors.scales_of(organisation)},
        status=400 if form.errors else 200,
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def scale_wording(request, scale_id):
    actor = request.membership
    scale_policy.require(actor, "manage")
    scale = get_object_or_404(selectors.scales_of(actor.organisation), pk=scale_id)
    levels = list(scale.levels.all())
    errors: list[str] = []
    status, saved_now = 200, None
    if request.method == "POST":
        wording = {
            level.pk: (request.POST.get(f"label-{level.pk}", ""), request.POST.get(f"description-{level.pk}", ""))
            for level in levels
        }
        try:
            services.scale_wording_update(
                actor=actor, scale=scale, wording=wording, version=request.POST.get("version", "")
            )
        except ValidationError as error:
            errors, status = error.messages, 400
            if isinstance(error, EditConflict):
                status = 409
                saved_now = [(level.label, level.description) for level in scale.levels.all()]
            for level in levels:
                level.label, level.description = wording[level.pk]
        else:
            messages.success(request, f"The wording of “{scale.name}” is saved.")
            return redirect("practice:settings")
    return render(
        request,
        "practice/scale_wording.html",
        {
            "scale": scale,
            "levels": levels,
            "errors": errors,
            # After an ordinary mistake the form keeps the token it was opened with, so a clash still shows.
            "version": request.POST.get("version", "") if status == 400 else services.scale_edit_token(scale),
            "saved_now": saved_now,
        },
        status=status,
    )
