from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from attunement.edits import EditConflict, with_token
from attunement.organisations.access import member_required
from attunement.organisations.forms_util import add_service_errors
from attunement.organisations.service_calls import errors_onto, form_status
from attunement.organisations.spreadsheets import format_from, spreadsheet_response

from . import importing, services
from .access import learner_or_404, learner_page  # noqa: F401  (learner_or_404 is used by other apps)
from .forms import (
    AssignmentForm,
    GroupEditForm,
    GroupForm,
    KeyPeopleFormSet,
    LearnerForm,
    PlanForm,
    ProfileForm,
)
from .import_steps import ImportSteps
from .models import PROFILE_SECTIONS, Group
from .naming import shown_name
from .policies import group_policy, learner_policy
from .selectors import group_get, groups_of, import_holding, learner_list

# A page of the people list: a co-ordinator of a small team sees everyone at once; a large organisation pages.
PER_PAGE = 60


@member_required
@require_safe
def learner_list_view(request):
    # The only members who may not are external viewers: tell them where their figures are.
    learner_policy.require(request.membership, "view", message="Your role sees anonymised figures only.")
    search = request.GET.get("q", "").strip()[:100]
    left = request.GET.get("left") == "1"
    number = request.GET.get("page", "")
    number = int(number) if number.isascii() and number.isdigit() and 0 < int(number) < 100_000 else 1
    groups = groups_of(actor=request.membership) if group_policy.role_may(request.membership, "view") else []
    chosen = request.GET.get("group", "")
    group = next((g for g in groups if str(g.pk) == chosen), None)
    page = learner_list(
        actor=request.membership,
        search=search,
        include_inactive=left,
        group_id=group.pk if group else None,
        page=number,
        per_page=PER_PAGE,
    )
    query = urlencode(
        [
            *([("q", search)] if search else []),
            *([("group", group.pk)] if group else []),
            *([("left", "1")] if left else []),
        ]
    )
    if not page.people and page.has_previous:  # past the end (the list got shorter): start again
        return redirect(f"{request.path}?{query}" if query else request.path)
    return render(
        request,
        "learners/list.html",
        {
            "learners": page.people,
            "page": page,
            "query": query,
            "search": search,
            "left": left,
            "groups": groups,
            "group": group,
            "may_create": learner_policy.may_create(request.membership),
            "may_import": learner_policy.role_may(request.membership, "import"),
            "may_manage_groups": group_policy.role_may(request.membership, "manage"),
        },
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def learner_create_view(request):
    learner_policy.require(request.membership, "create")
    organisation = request.membership.organisation
    form = LearnerForm(request.POST or None, request.FILES or None, organisation=organisation)
    people = KeyPeopleFormSet(request.POST or None, prefix="people")
    if request.method == "POST" and form.is_valid() and people.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        data.pop("remove_photo", None)
        data.pop("still_supported", None)
        with errors_onto(form):
            learner = services.learner_create(actor=request.membership, key_people=_people(people), **data)
            messages.success(
                request, f"{learner.display_name} has been added. Next, fill in their communication profile."
            )
            return redirect("learners:profile_edit", learner_id=learner.pk)
    return render(request, "learners/edit.html", {"form": form, "people": people, "learner": None})


@learner_page("edit", reads="details", methods=("GET", "POST"))
def learner_edit_view(request, learner):
    organisation = request.membership.organisation
    initial = {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "preferred_name": learner.preferred_name,
        "date_of_birth": learner.date_of_birth,
        "needs": learner.needs,
        "site": learner.site,
        "weekly_session_target": learner.weekly_session_target,
        "group": learner.group,
        "identifier": learner.identifier,
        "still_supported": learner.is_active,
        "version": learner.version,
    }
    form = LearnerForm(
        request.POST or None,
        request.FILES or None,
        organisation=organisation,
        initial=initial,
        current_group=learner.group,
    )
    del form.fields["assigned"]  # changed on "Who works with them", with dates
    people = KeyPeopleFormSet(
        request.POST or None,
        prefix="people",
        initial=[{"name": p.name, "relationship": p.relationship, "notes": p.notes} for p in learner.key_people.all()],
    )
    if request.method == "POST" and form.is_valid() and people.is_valid():
        with errors_onto(form):
            learner = services.learner_update(
                actor=request.membership, learner=learner, key_people=_people(people), **form.cleaned_data
            )
            messages.success(request, "Saved.")
            return redirect("learners:about", learner_id=learner.pk)
    return render(request, "learners/edit.html", {"form": form, "people": people, "learner": learner})


def _people(formset) -> list[dict]:
    return [
        {key: form.cleaned_data.get(key, "") for key in ("name", "relationship", "notes")}
        for form in formset.forms
        if form.cleaned_data.get("name")
    ]


@learner_page("edit_profile", reads="profile", methods=("GET", "POST"))
def profile_edit_view(request, learner):
    profile = learner.profile
    initial = {section["field"]: section["text"] for section in profile.sections()}
    form = ProfileForm(request.POST or None, initial={**initial, "version": profile.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                actor=request.membership, learner=learner, version=form.cleaned_data["version"], **form.sections()
            )
        except ValidationError as error:
            profile.refresh_from_db()
            theirs = ProfileForm(
                initial={**{s["field"]: s["text"] for s in profile.sections()}, "version": profile.version}
            )
            return render(
                request,
                "learners/profile_edit.html",
                {"form": theirs, "learner": learner, "my_text": _titled(form.sections()), "conflict": error.messages},
                status=409,
            )
        messages.success(request, "The communication profile is saved.")
        return redirect("learners:about", learner_id=learner.pk)
    return render(request, "learners/profile_edit.html", {"form": form, "learner": learner})


def _titled(sections: dict) -> list[dict]:
    return [{"title": title, "text": sections[field]} for field, title, _ in PROFILE_SECTIONS]


@learner_page("view_records", reads="plans")
def plan_list_view(request, learner):
    plans = learner.plans.prefetch_related("outcomes")
    return render(
        request,
        "learners/plans.html",
        {
            "learner": learner,
            "plans": plans,
            "may_manage": learner_policy.allows(request.membership, "manage_plans", learner),
        },
    )


@learner_page("manage_plans", reads="plan_form", methods=("GET", "POST"))
def plan_create_view(request, learner):
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.plan_create(
                actor=request.membership, learner=learner, outcomes=form.new_outcome_lines(), **form.plan_details()
            )
            messages.success(request, "The plan is saved.")
            return redirect("learners:plans", learner_id=learner.pk)
    return render(request, "learners/plan_edit.html", {"form": form, "learner": learner, "plan": None})


@learner_page("manage_plans", reads="plan", methods=("GET", "POST"))
def plan_edit_view(request, learner, plan_id):
    plan = get_object_or_404(learner.plans, pk=plan_id)
    initial = {name: getattr(plan, name) for name in (*PlanForm.DETAILS, "is_active")}
    initial["version"] = services.plan_edit_token(plan)
    form = PlanForm(request.POST or None, initial=initial, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.membership,
                plan=plan,
                is_active=form.cleaned_data["is_active"],
                outcome_texts=form.outcome_texts(),
                new_outcomes=form.new_outcome_lines(),
                version=form.cleaned_data["version"],
                **form.plan_details(),
            )
        except services.EditConflict as error:
            saved = {f"outcome_{o.pk}": o.text for o in plan.outcomes.filter(is_active=True)}
            data = with_token(request.POST, services.plan_edit_token(plan), defaults=saved)
            form = PlanForm(data, initial=initial, plan=plan)
            form.is_valid()
            add_service_errors(form, error)
            context = {"form": form, "learner": learner, "plan": plan, "saved_now": services.plan_saved_now(plan)}
            return render(request, "learners/plan_edit.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The plan is saved.")
            return redirect("learners:plans", learner_id=learner.pk)
    return render(request, "learners/plan_edit.html", {"form": form, "learner": learner, "plan": plan})


@learner_page("assign", reads="assignments", methods=("GET", "POST"))
def assignments_view(request, learner):
    from .selectors import assignments_of

    form = AssignmentForm(request.POST or None, members=services.linkable_members(request.membership.organisation))
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.assignment_set(actor=request.membership, learner=learner, **form.cleaned_data)
            starts = form.cleaned_data["starts_on"]
            when = f"from {starts:%-d %B %Y}" if starts and starts > timezone.localdate() else "now"
            name = shown_name(request, learner)
            messages.success(request, f"Saved: {form.cleaned_data['user']} can see {name} {when}.")
            return redirect("learners:assignments", learner_id=learner.pk)
    return render(
        request,
        "learners/assignments.html",
        {"learner": learner, "form": form, "assignments": assignments_of(learner=learner)},
        status=form_status(form),
    )


@learner_page("assign", reads="assignments", methods=("POST",))
def assignment_end_view(request, learner, assignment_id):
    assignment = get_object_or_404(learner.assignments, pk=assignment_id)
    services.assignment_end(actor=request.membership, learner=learner, assignment=assignment)
    messages.success(request, f"{assignment.user} can no longer see {shown_name(request, learner)}.")
    return redirect("learners:assignments", learner_id=learner.pk)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def groups_view(request):
    """The organisation's classes and groups: add, rename, retire."""
    actor = request.membership
    group_policy.require(actor, "manage")
    form = GroupForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            group = services.group_add(actor=actor, **form.cleaned_data)
            messages.success(request, f"“{group.name}” is added.")
            return redirect("learners:groups")
    return _groups_page(request, form, status=form_status(form))


def _groups_page(request, form, *, status=200, kept=None):
    """`kept` is a change refused because someone else saved the group first: (group id, its form)."""
    actor = request.membership
    listed = []
    for group in groups_of(actor=actor, include_retired=True):
        if kept and kept[0] == group.pk:
            listed.append({"group": group, "form": kept[1], "open": True})
        else:
            initial = {"name": group.name, "site": group.site_id, "version": services.group_edit_token(group)}
            edit = GroupEditForm(initial=initial, prefix=f"group-{group.pk}", organisation=actor.organisation)
            listed.append({"group": group, "form": edit})
    return render(request, "learners/groups.html", {"form": form, "listed": listed}, status=status)


@member_required
@require_http_methods(["POST"])
def group_change_view(request, group_id):
    actor = request.membership
    group_policy.require(actor, "manage")
    try:
        group = group_get(actor=actor, group_id=group_id)
    except Group.DoesNotExist:
        raise Http404("Not found, or not yours to see.") from None
    group_policy.require(actor, "manage", group)
    action = request.POST.get("action")
    prefix = f"group-{group.pk}"
    try:
        if action in ("retire", "restore"):
            services.group_set_retired(actor=actor, group=group, retired=action == "retire")
            messages.success(request, f"“{group.name}” is {'retired' if action == 'retire' else 'back in use'}.")
        else:
            form = GroupEditForm(request.POST, prefix=prefix, organisation=actor.organisation)
            if not form.is_valid():
                raise ValidationError([" ".join(errors) for errors in form.errors.values()])
            services.group_update(actor=actor, group=group, **form.cleaned_data)
            messages.success(request, f"“{group.name}” is saved.")
    except EditConflict as error:
        group.refresh_from_db()
        data = with_token(request.POST, services.group_edit_token(group), field=f"{prefix}-version")
        form = GroupEditForm(data, prefix=prefix, organisation=actor.organisation)
        form.is_valid()
        add_service_errors(form, error)
        return _groups_page(request, GroupForm(organisation=actor.organisation), status=409, kept=(group.pk, form))
    except ValidationError as error:
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
    return redirect("learners:groups")


# --- Importing people from a spreadsheet ----------------------------------------------------------------------
# The file is read once, on upload, into plain rows kept in the member's session (server-side, never a public
# file); the preview works the plan out from them each time it is drawn, and confirming saves that plan.

PEOPLE_IMPORT = ImportSteps(
    session_key="people_import",
    columns=importing.COLUMNS,
    upload_url="learners:import",
    columns_url="learners:import_columns",
    preview_url="learners:import_preview",
    rows_of="people",
)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload_view(request):
    learner_policy.require(request.membership, "import")
    return PEOPLE_IMPORT.upload_page(request, "learners/import_upload.html", {})


@member_required
@require_safe
def import_template_view(request):
    """The empty spreadsheet to fill in: CSV, or XLSX with ?format=xlsx."""
    learner_policy.require(request.membership, "import")
    return spreadsheet_response(
        importing.TEMPLATE_HEADINGS, [], filename="people-to-import", format=format_from(request), title="People"
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_columns_view(request):
    learner_policy.require(request.membership, "import")
    return PEOPLE_IMPORT.columns_page(request)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview_view(request):
    actor = request.membership
    learner_policy.require(actor, "import")

    def done(plan) -> str:
        added, updated, same = (plan.count(action) for action in (importing.CREATE, importing.UPDATE, importing.SAME))
        return f"Imported: {added} added, {updated} updated, {same} already up to date."

    return PEOPLE_IMPORT.preview_page(
        request,
        template="learners/import_preview.html",
        plan=lambda rows, mapping: importing.plan_rows(
            rows, mapping, import_holding(actor=actor), today=timezone.localdate()
        ),
        apply=lambda rows, mapping, digest: services.people_import(
            actor=actor, rows=rows, mapping=mapping, expected=digest
        ),
        changed=services.ImportChanged,
        done=done,
        done_url="learners:list",
        discarded="The upload is put aside. Nothing was saved.",
    )
