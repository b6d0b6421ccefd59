"""The audit trail page: who did what to whose record, filtered, and as a spreadsheet."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_record
from attunement.organisations.policies import audit_policy
from attunement.organisations.selectors import audit_trail, audit_users, roles_in
from attunement.organisations.spreadsheets import FORMATS, spreadsheet_response
from attunement.organisations.templatetags.audit_words import describe

from .forms import AuditFilterForm
from .selectors import names_of_people


def _audit_filter_form(request, organisation):
    """The filter form, with every user who can be in the trail in "Done by": staff, family members, external
    viewers and people who have left, each with their role so two people of the same name can be told apart."""
    form = AuditFilterForm(request.GET or None, organisation=organisation)
    users = audit_users(organisation)
    roles = roles_in(organisation, users.values("pk"))
    form.fields["user"].queryset = users
    form.fields["user"].label_from_instance = lambda user: f"{user} ({roles.get(user.pk, 'not a member')})"
    return form


@member_required
@require_safe
def audit_log(request):
    """The audit trail, filtered; with ?format=csv or ?format=xlsx, the same entries as a spreadsheet."""
    actor = request.membership
    audit_policy.require(actor, "view")
    form = _audit_filter_form(request, actor.organisation)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "learner_id": data["person"].pk if data["person"] else None,
            "user_id": data["user"].pk if data["user"] else None,
            "since": data["since"],
            "until": data["until"],
        }
    entries = audit_trail(actor=actor, **filters)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return _audit_download(request, actor, entries, form, fmt)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    names = names_of_people(actor=actor, ids={entry.learner_id for entry in page.object_list})
    roles = roles_in(actor.organisation, {entry.actor_id for entry in page.object_list if entry.actor_id})
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "records/audit.html",
        {"form": form, "page": page, "names": names, "roles": roles, "query": query.urlencode()},
    )


AUDIT_COLUMNS = ["When", "Who", "Their role", "What", "About", "From (address)", "What exactly (code)"]


def _audit_download(request, actor, entries, form, fmt):
    if form.is_bound and not form.is_valid():  # a download never silently ignores a filter: show the mistake
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('audit')}?{query.urlencode()}")
    chosen = (
        {
            label: str(value)
            for label, value in (
                ("person", form.cleaned_data.get("person") and form.cleaned_data["person"].full_name),
                ("done by", form.cleaned_data.get("user")),
                ("from", form.cleaned_data.get("since")),
                ("to", form.cleaned_data.get("until")),
            )
            if value
        }
        if form.is_bound
        else {}
    )
    # The download is recorded first, and left out of the file it is about, so its count is the file's.
    recorded = audit_record(
        actor=actor,
        action="audit_trail.exported",
        detail={"format": fmt, "entries": entries.count(), **({"filters": chosen} if chosen else {})},
    )
    entries = entries.exclude(pk=recorded.pk)
    # Names and roles for the whole organisation, looked up once: the entries themselves are read in chunks.
    names = names_of_people(actor=actor, ids=None)
    roles = roles_in(actor.organisation, audit_users(actor.organisation).values("pk"))
    rows = (
        [
            timezone.localtime(entry.at),
            str(entry.actor) if entry.actor else "the system",
            roles.get(entry.actor_id, "not a member") if entry.actor_id else "",
            describe(entry.action, entry.detail),
            (names.get(entry.learner_id, "a person no longer held") if entry.learner_id else ""),
            entry.address or "",
            entry.action,
        ]
        for entry in entries.iterator(chunk_size=2000)
    )
    response = spreadsheet_response(
        AUDIT_COLUMNS,
        rows,
        filename=f"audit-trail-{timezone.localdate():%Y-%m-%d}",
        format=fmt,
        title="Audit trail",
        stream=True,  # a whole organisation's trail can be large: CSV rows are sent as they are read
    )
    response["Cache-Control"] = "no-store"
    return response
