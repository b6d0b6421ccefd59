"""The means pages: thin. Each parses a form, calls a service or a few selectors, and renders.

Every page is for staff only (family members and external viewers get 403). A page naming a record
fetches it through the actor's scope, so another organisation's record, or one the actor may not see, is
simply not found (404).
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attunement.edits import EditConflict, with_token
from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_record
from attunement.organisations.forms_util import add_service_errors
from attunement.organisations.service_calls import errors_as_message, errors_onto, form_status

from . import selectors, services
from .dates import add_months, quarter_start
from .forms import (
    ActionFormSet,
    ChampionForm,
    CompletionForm,
    CourseEditForm,
    CourseForm,
    DoneForm,
    MeetingForm,
    SelfReportForm,
    TrendsForm,
)
from .models import AgreedAction, Champion, Course, TrainingCompletion
from .policies import (
    agreed_action_policy,
    champion_policy,
    course_policy,
    leads,
    meeting_policy,
    require_staff,
    self_report_policy,
    training_policy,
)
from .vocabulary import SELF_REPORT_ITEMS

SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def staff_page(view):
    """Log in, act through a membership, and be a member of staff: otherwise 403."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_staff(request.membership)
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template: str, context: dict, status: int = 200):
    """Every page knows whether the member leads (for the links to leaders' pages)."""
    return render(request, template, {"leads": leads(request.membership), **context}, status=status)


def _fetch(getter, model, **kwargs):
    try:
        return getter(**kwargs)
    except model.DoesNotExist:
        raise Http404("Not found, or not yours to see.") from None


@staff_page
@require_safe
def index(request):
    actor = request.membership
    overdue = selectors.training_overdue(actor=actor)  # everyone's for a lead, else the member's own
    return _render(
        request,
        "means/index.html",
        {
            "leads": leads(actor),
            "training_overdue": [r for r in overdue if r["member_id"] == actor.pk],
            "team_training_overdue": len(overdue) if leads(actor) else 0,
            "actions_overdue": selectors.supervision_actions_overdue(actor=actor),
            "champions": selectors.champions(actor=actor),
            "answered_this_month": selectors.self_report_this_month(actor=actor) is not None,
        },
    )


# --- Training --------------------------------------------------------------------------------------------


@staff_page
@require_safe
def my_training(request):
    actor = request.membership
    return _render(
        request,
        "means/my_training.html",
        {
            "rows": selectors.my_training(actor=actor),
            "completions": selectors.completions_of(actor=actor, staff=actor),
            "leads": leads(actor),
        },
    )


@staff_page
@require_http_methods(["GET", "HEAD", "POST"])
def training_record(request):
    actor = request.membership
    may_record_any = training_policy.role_may(actor, "record_any")
    staff = selectors.staff_members(actor=actor)
    initial = {}
    if may_record_any and request.GET.get("staff", "").isdigit():
        initial["staff"] = int(request.GET["staff"])
    form = CompletionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        staff=staff,
        courses=selectors.courses(actor=actor),
        actor=actor,
        may_record_any=may_record_any,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        member = data.pop("staff", actor)
        with errors_onto(form):
            completion = services.training_completion_record(actor=actor, staff=member, **data)
            who = "your" if member.pk == actor.pk else f"{member.user}’s"
            messages.success(request, f"“{completion.course.name}” is saved in {who} training.")
            return redirect("means:training" if member.pk == actor.pk else "means:training_matrix")
    return _render(
        request,
        "means/training_form.html",
        {"form": form, "may_record_any": may_record_any},
        status=form_status(form),
    )


@staff_page
@require_safe
def training_matrix(request):
    actor = request.membership
    training_policy.require(actor, "view_matrix")
    return _render(
        request,
        "means/training_matrix.html",
        {"matrix": selectors.training_matrix(actor=actor), "overdue": selectors.training_overdue(actor=actor)},
    )


@staff_page
@require_http_methods(["GET", "HEAD", "POST"])
def courses(request):
    actor = request.membership
    course_policy.require(actor, "manage")
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            course = services.course_add(actor=actor, **form.cleaned_data)
            messages.success(request, f"“{course.name}” is added to the training list.")
            return redirect("means:courses")
    return _courses_page(request, form, status=form_status(form))


def _courses_page(request, form, *, status=200, kept=None):
    """`kept` is a change refused because someone else saved the course first: (course id, its form)."""
    catalogue = []
    for course in selectors.courses(actor=request.membership, include_retired=True):
        if kept and kept[0] == course.pk:
            catalogue.append({"course": course, "form": kept[1], "open": True})
        else:
            initial = _course_initial(course)
            catalogue.append({"course": course, "form": CourseEditForm(initial=initial, prefix=f"course-{course.pk}")})
    return _render(request, "means/courses.html", {"form": form, "catalogue": catalogue}, status=status)


def _course_initial(course: Course) -> dict:
    return {
        "name": course.name,
        "refresh_months": course.refresh_months,
        "required": course.required,
        "version": services.course_edit_token(course),
    }


@staff_page
@require_POST
def course_change(request, course_id):
    actor = request.membership
    course = _fetch(selectors.course_get, Course, actor=actor, course_id=course_id)
    course_policy.require(actor, "manage", course)
    action = request.POST.get("action")
    try:
        if action in ("retire", "restore"):
            services.course_set_retired(actor=actor, course=course, retired=action == "retire")
            messages.success(
                request, f"“{course.name}” is {'retired' if action == 'retire' else 'back on the training list'}."
            )
        else:
            form = CourseEditForm(request.POST, prefix=f"course-{course.pk}")
            if not form.is_valid():
                raise ValidationError([f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()])
            services.course_update(actor=actor, course=course, **form.cleaned_data)
            messages.success(request, f"“{course.name}” is saved.")
    except EditConflict as error:
        course.refresh_from_db()
        token = services.course_edit_token(course)
        form = CourseEditForm(
            with_token(request.POST, token, field=f"course-{course.pk}-version"), prefix=f"course-{course.pk}"
        )
        form.is_valid()
        add_service_errors(form, error)
        return _courses_page(request, CourseForm(), status=409, kept=(course.pk, form))
    except ValidationError as error:
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
    return redirect("means:courses")


@staff_page
@require_safe
def certificate(request, completion_id):
    """The certificate file, only to the member of staff it belongs to and to leaders. Every opening is audited."""
    actor = request.membership
    completion = _fetch(selectors.completion_get, TrainingCompletion, actor=actor, completion_id=completion_id)
    training_policy.require(actor, "view", completion)
    if not completion.certificate:
        raise Http404("No certificate was kept for this training.")
    audit_record(actor=actor, action="training_certificate.read", target=completion)
    suffix = SUFFIXES.get(completion.certificate_type, "")
    filename = f"certificate-{slugify(completion.course.name)[:60]}-{completion.completed_on:%Y-%m-%d}{suffix}"
    response = FileResponse(
        completion.certificate.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=completion.certificate_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Supervision and mentoring ---------------------------------------------------------------------------


@staff_page
@require_safe
def supervision(request):
    actor = request.membership
    page = Paginator(selectors.meetings(actor=actor), 20).get_page(request.GET.get("page"))
    for meeting in page:
        for action in meeting.actions.all():
            action.may_mark_done = agreed_action_policy.marks_done(actor, action)
    return _render(
        request,
        "means/supervision.html",
        {
            "page": page,
            "overdue": selectors.supervision_actions_overdue(actor=actor),
            "leads": leads(actor),
            "today": timezone.localdate(),
        },
    )


@staff_page
@require_http_methods(["GET", "HEAD", "POST"])
def supervision_new(request):
    actor = request.membership
    form = MeetingForm(
        request.POST or None,
        staff=selectors.staff_members(actor=actor),
        sessions=selectors.session_choices(actor=actor),
        actor=actor,
    )
    actions = ActionFormSet(request.POST or None, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        data = dict(form.cleaned_data)
        agreed = [
            f.to_action(supervisor=data["supervisor"], supervisee=data["supervisee"])
            for f in actions.forms
            if f.has_changed()
        ]
        with errors_onto(form):
            services.supervision_meeting_record(actor=actor, actions=agreed, **data)
            messages.success(request, "The meeting is saved.")
            return redirect("means:supervision")
    return _render(
        request,
        "means/supervision_form.html",
        {"form": form, "actions": actions, "leads": meeting_policy.role_may(actor, "record_any")},
        status=form_status(form, actions),
    )


@staff_page
@require_POST
def action_done(request, action_id):
    actor = request.membership
    action = _fetch(selectors.agreed_action_get, AgreedAction, actor=actor, action_id=action_id)
    agreed_action_policy.require_mark_done(actor, action)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: please give the date as day, month and year.")
        return redirect("means:supervision")
    undo = form.cleaned_data["undo"]
    with errors_as_message(request):
        services.agreed_action_set_done(actor=actor, action=action, done=not undo, done_on=form.cleaned_data["done_on"])
        messages.success(request, f"“{action.text}” is {'not done after all' if undo else 'marked done'}.")
    return redirect("means:supervision")


# --- Champions -------------------------------------------------------------------------------------------


@staff_page
@require_http_methods(["GET", "HEAD", "POST"])
def champions(request):
    actor = request.membership
    may_manage = champion_policy.role_may(actor, "manage")
    form = None
    if may_manage:
        form = ChampionForm(
            request.POST or None, staff=selectors.staff_members(actor=actor), sites=actor.organisation.sites.all()
        )
    elif request.method == "POST":
        champion_policy.require(actor, "manage")
    if form is not None and request.method == "POST" and form.is_valid():
        with errors_onto(form):
            champion = services.champion_appoint(actor=actor, **form.cleaned_data)
            messages.success(request, f"{champion.staff.user} is now the {champion.get_kind_display().lower()}.")
            return redirect("means:champions")
    return _render(
        request,
        "means/champions.html",
        {"champions": selectors.champion_records(actor=actor), "form": form, "may_manage": may_manage},
        status=form_status(form),
    )


@staff_page
@require_POST
def champion_end(request, champion_id):
    actor = request.membership
    champion = _fetch(selectors.champion_get, Champion, actor=actor, champion_id=champion_id)
    champion_policy.require(actor, "manage", champion)
    with errors_as_message(request, "Nothing was changed: "):
        services.champion_stand_down(actor=actor, champion=champion)
        messages.success(request, f"{champion.staff.user} is no longer the {champion.get_kind_display().lower()}.")
    return redirect("means:champions")


# --- Staff self-report -----------------------------------------------------------------------------------


@staff_page
@require_http_methods(["GET", "HEAD", "POST"])
def self_report(request):
    actor = request.membership
    self_report_policy.require(actor, "submit")
    this_month = selectors.self_report_this_month(actor=actor)
    form = SelfReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            submitted = services.self_report_submit(actor=actor, **form.cleaned_data)
            if submitted.replaced_at:
                when = timezone.localtime(submitted.replaced_at)
                messages.success(
                    request,
                    f"Thank you. You had already answered this month (on {when:%-d %B}), so these answers replace "
                    "those ones. Only one set a month is kept.",
                )
            else:
                messages.success(request, "Thank you. Your answers for this month are saved.")
            return redirect("means:self_report")
    history = [
        {
            "month": report.month,
            "answers": [(statement, getattr(report, field)) for field, statement, _ in SELF_REPORT_ITEMS],
        }
        for report in selectors.my_self_reports(actor=actor)
    ]
    return _render(
        request,
        "means/self_report.html",
        {
            "form": form,
            "this_month": this_month,
            "history": history,
            "statements": [statement for _, statement, _ in SELF_REPORT_ITEMS],
            "leads": self_report_policy.role_may(actor, "view_trends"),
        },
        status=form_status(form),
    )


@staff_page
@require_safe
def self_report_trends(request):
    actor = request.membership
    self_report_policy.require(actor, "view_trends")
    today = timezone.localdate()
    form = TrendsForm(request.GET or None)
    since, until = quarter_start(add_months(today, -21)), today
    if form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
    if until - since > timedelta(days=366 * 10):
        since = add_months(until, -120)
    return _render(
        request,
        "means/self_report_trends.html",
        {
            "form": form,
            "quarters": selectors.self_report_trends(actor=actor, since=since, until=until),
            "items": SELF_REPORT_ITEMS,
        },
    )
