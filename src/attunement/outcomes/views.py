from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from attunement.learners.access import learner_page
from attunement.learners.models import Need
from attunement.learners.naming import shown_name
from attunement.learners.selectors import groups_of, learners_visible_to
from attunement.means import selectors as means
from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_reads, audit_record, shows_data
from attunement.organisations.spreadsheets import format_from, spreadsheet_response
from attunement.practice.selectors import sessions_visible_to
from attunement.privacy.selectors import consent_allows

from . import reports
from .periods import period_from
from .policies import may_read_pack, report_policy, term_policy
from .rendering import data_uri_of, pdf_response
from .selectors import organisation_summary

PERSON_REPORTS = {
    "story": ("My year", "For the person: their own best moments, in pictures and few words.", reports.person_story),
    "family": (
        "For the family",
        "What the team has seen, in plain words, to share with the family.",
        reports.person_story,
    ),
    "evidence": (
        "Plan review evidence",
        "Evidence for each outcome of their EHCP, care plan or PBS plan.",
        reports.evidence_pack,
    ),
    "case-study": (
        "Anonymised case study",
        "Their story without their name, for funding bids and training. Needs consent to use in anonymised reports.",
        reports.case_study,
    ),
}
# Reports made to be given to someone else need the person's agreement first.
SHARING_CONSENT = {"family": "family", "case-study": "reports"}
ANONYMISED = {"case-study"}


@member_required
@require_safe
def summary(request):
    actor = request.membership
    report_policy.require(actor, "view_summary")
    audit_record(
        actor=actor,
        action="organisation_summary.read",
        detail={"report": "summary", "title": "Organisation summary", "format": "web"},
    )
    return render(request, "outcomes/summary.html", {"summary": organisation_summary(organisation=actor.organisation)})


@learner_page("view_records", reads="reports")
def person_reports(request, learner):
    from .case_studies import latest_release

    return render(
        request,
        "outcomes/person_reports.html",
        {"learner": learner, "reports": PERSON_REPORTS, "case_study_released": latest_release(learner) is not None},
    )


@learner_page("view_records", reads="report")
def person_report(request, learner, kind):
    if kind not in PERSON_REPORTS:
        raise Http404("No such report.")
    title, _, build = PERSON_REPORTS[kind]
    # The read entry the page guard writes names the report and its format.
    request.audit_detail = {
        "report": kind,
        "title": title,
        "format": "pdf" if request.GET.get("format") == "pdf" else "web",
    }
    period, problem = period_from(request.GET)
    if kind in ANONYMISED:
        period = _case_study_period(request, learner, period)
    context = {
        "report": build(actor=request.membership, learner=learner, period=period),
        "kind": kind,
        "title": title if kind in ANONYMISED else f"{title}: {shown_name(request, learner)}",
        "period": period,
        "problem": problem,
        "learner": learner,
        "body": f"outcomes/reports/{kind}.html",
    }
    needed = SHARING_CONSENT.get(kind)
    if needed:
        context["consent_missing"] = not consent_allows(learner, needed)
    if kind in ANONYMISED:
        from .case_studies import may_release

        context["may_release"] = may_release(request.membership, learner)
        context["awaiting_release"] = context["report"]["release"] is None
    context["prepared_by"] = request.user.short_name
    if request.GET.get("format") == "pdf":
        if context.get("consent_missing"):
            raise PermissionDenied("There is no agreement to share this report.")
        if context.get("awaiting_release"):
            raise PermissionDenied(
                "This case study has not been released yet: a co-ordinator checks every quoted sentence first."
            )
        if learner.photo:
            context["photo_src"] = data_uri_of(learner.photo)
        who = "" if kind in ANONYMISED else f"-{learner.pk}"
        filename = f"{kind}{who}-{period.since:%Y%m%d}-{period.until:%Y%m%d}.pdf"
        return pdf_response(request, "outcomes/report_pdf.html", context, filename)
    return render(request, "outcomes/report_page.html", context)


def _case_study_period(request, learner, period):
    """With no dates chosen, the case study opens on the period last released, not on a year up to today."""
    from .case_studies import latest_release
    from .periods import Period

    if request.GET.get("since") or request.GET.get("until"):
        return period
    release = latest_release(learner)
    return Period(since=release.since, until=release.until) if release else period


def chosen_group(request, actor):
    """The class or group chosen with `?group=`, the ones the member may choose from, and a sentence when the
    choice was not one of them (everyone is then shown)."""
    groups = groups_of(actor=actor)
    chosen = request.GET.get("group", "")
    group = next((g for g in groups if str(g.pk) == chosen), None)
    problem = "That class or group is not one of yours, so everyone is shown." if chosen and group is None else ""
    return group, groups, problem


@member_required
@require_safe
def organisation_report(request, audience):
    actor = request.membership
    if audience not in reports.AUDIENCES:
        raise Http404("No such report.")
    if not may_read_pack(actor, audience):
        raise PermissionDenied("This report is not for your role.")
    period, problem = period_from(request.GET)
    group, groups, group_problem = chosen_group(request, actor)
    pack = reports.organisation_pack(organisation=actor.organisation, period=period, audience=audience, group=group)
    pdf = request.GET.get("format") == "pdf"
    detail = {"report": audience, "title": pack["title"], "format": "pdf" if pdf else "web"}
    audit_record(actor=actor, action=f"{audience}_report.read", detail=detail | reports.group_detail(group))
    context = {
        "report": pack,
        "period": period,
        "problem": " ".join(p for p in (problem, group_problem) if p),
        "groups": groups,
        "group": group,
        "kind": "organisation",
        "title": f"{pack['title']}: {actor.organisation.name}" + (f", {group.name}" if group else ""),
        "body": "outcomes/reports/organisation.html",
    }
    if pdf:
        which = f"{audience}-{slugify(group.name) or group.pk}" if group else audience
        return pdf_response(
            request, "outcomes/report_pdf.html", context, f"{which}-{period.since:%Y%m%d}-{period.until:%Y%m%d}.pdf"
        )
    return render(request, "outcomes/report_page.html", context)


def inspector_report(request):
    return organisation_report(request, "inspectors")


@member_required
@require_safe
def report_index(request):
    actor = request.membership
    packs = [(key, title) for key, (title, _) in reports.AUDIENCES.items() if may_read_pack(actor, key)]
    may_practice = report_policy.role_may(actor, "read_own_practice")
    if not packs and not may_practice:
        raise PermissionDenied("There are no reports for your role.")
    may_export = report_policy.role_may(actor, "export_sessions")
    context = {
        "packs": packs,
        "may_practice": may_practice,
        "may_export": may_export,
        "groups": groups_of(actor=actor) if packs else [],
        "period": period_from({})[0],
    }
    return render(request, "outcomes/report_index.html", context)


STAFF_REPORTS = {
    "my-practice": ("My practice", reports.my_practice, "practice"),
    "for-carers": ("For carers", reports.carer_report, "carer"),
    "for-therapists": ("For therapists", reports.therapist_report, "therapist"),
}


@member_required
@require_safe
def my_practice(request, which="my-practice"):
    """Reports about the member's own practice: as a practitioner, as a carer, or as a therapist."""
    actor = request.membership
    report_policy.require(actor, "read_own_practice")
    title, build, template = STAFF_REPORTS[which]
    period, problem = period_from(request.GET)
    context = {
        "report": build(actor=actor, period=period),
        "period": period,
        "problem": problem,
        "kind": template,
        "title": f"{title}: {request.user.short_name}",
        "body": f"outcomes/reports/{template}.html",
    }
    if request.GET.get("format") == "pdf":
        filename = f"{which}-{period.since:%Y%m%d}-{period.until:%Y%m%d}.pdf"
        response = pdf_response(request, "outcomes/report_pdf.html", context, filename)
    else:
        response = render(request, "outcomes/report_page.html", context)
    if shows_data(response):
        # One entry for each person the report names, not one for the report: an auditor asked who has seen
        # a person's records (or the person asking for their own) then finds this report in their history.
        named = [row["learner"] for row in context["report"].get("people", []) + context["report"].get("caseload", [])]
        audit_reads(
            actor=actor,
            what=STAFF_REPORTS[which][2] + "_report",
            learners=named,
            target_type="report",
            detail={"report": which, "title": title, "format": "pdf" if request.GET.get("format") == "pdf" else "web"},
        )
    return response


@member_required
@require_safe
def sessions_csv(request):
    """Every session in the period, one row each, for leaders who want their own analysis."""
    actor = request.membership
    report_policy.require(actor, "export_sessions")
    period, _ = period_from(request.GET)
    group, _, _ = chosen_group(request, actor)
    in_period = sessions_visible_to(actor).filter(started_at__gte=period.start, started_at__lt=period.end)
    if group:
        in_period = in_period.filter(learner__group=group)
    fmt = format_from(request)
    read = {"report": "sessions", "title": "Every session", "format": fmt} | reports.group_detail(group)
    audit_record(actor=actor, action="sessions_export.created", detail=read)
    # The file names each person whose sessions it holds: each of them gets a read entry, as for a report.
    audit_reads(
        actor=actor,
        what="sessions_export",
        learners=learners_visible_to(actor).filter(pk__in=in_period.values("learner_id")).only("pk"),
        target_type="sessions_csv",
        detail=read,
    )
    sessions = (
        in_period.select_related("learner", "recorded_by")
        .prefetch_related("fundamentals", "behaviours")
        .order_by("started_at", "pk")
    )
    header = [
        "session",
        "person_number",
        "person",
        "started",
        "minutes",
        "place",
        "planned",
        "enjoyment",
        "ending",
        "fundamentals",
        "never_seen_before",
        "rarely_seen",
        "recorded_by",
    ]

    def rows():
        for s in sessions.iterator(chunk_size=2000):
            behaviours = list(s.behaviours.all())
            yield [
                s.pk,
                s.learner_id,
                s.learner.full_name,
                timezone.localtime(s.started_at).strftime("%Y-%m-%d %H:%M"),
                s.minutes,
                s.place,
                "yes" if s.planned else "no",
                s.enjoyment or "",
                s.ending,
                "; ".join(f.name for f in s.fundamentals.all()),
                "; ".join(b.description for b in behaviours if b.novelty == "new"),
                "; ".join(b.description for b in behaviours if b.novelty == "rare"),
                s.recorded_by.email if s.recorded_by else "",
            ]

    # Text typed by staff (a name, a place, a behaviour) never runs as a formula: the helper makes it safe.
    which = f"sessions-{slugify(group.name) or group.pk}" if group else "sessions"
    return spreadsheet_response(
        header, rows(), filename=f"{which}-{period.since:%Y%m%d}-{period.until:%Y%m%d}", format=fmt, title="Sessions"
    )


def _dashboard_scope(request, actor):
    """Whose figures the dashboard and its alert lists show: a site and a group chosen in the filters."""
    from . import dashboard as board

    sites = list(actor.organisation.sites.all())
    site_id = request.GET.get("site", "")
    group, groups, _ = chosen_group(request, actor)
    scope = board.Scope(
        site_id=int(site_id) if site_id.isdigit() and any(str(s.pk) == site_id for s in sites) else None,
        need=request.GET.get("need", "") if request.GET.get("need", "") in Need.values else "",
        group_id=group.pk if group else None,
    )
    return scope, sites, groups


@member_required
@require_safe
def dashboard(request):
    """Means and ends side by side, with alerts, for the organisation, a site or a group of people. Each alert
    shows how many and the first few names; its own page lists everyone."""
    from . import dashboard as board

    actor = request.membership
    report_policy.require(actor, "view_dashboard")
    period, problem = period_from(request.GET)
    scope, sites, groups = _dashboard_scope(request, actor)
    today = timezone.localdate()
    training = means.training_overdue_summary(actor=actor, today=today, first=board.SHOWN_ON_DASHBOARD)
    supervision = means.supervision_actions_overdue(actor=actor, today=today)
    context = {
        "period": period,
        "problem": problem,
        "sites": sites,
        "groups": groups,
        "needs": Need.choices,
        "scope": scope,
        "scope_query": _scope_query(scope),
        "ends": board.ends(actor=actor, scope=scope, period=period),
        "alerts": {
            **board.alert_previews(actor=actor, scope=scope, today=today),
            "training": training,
            "supervision": {"count": len(supervision), "rows": supervision[: board.SHOWN_ON_DASHBOARD]},
        },
        "reflection": board.video_reflection(scope.people(actor), period),
        "champions": means.champions(actor=actor),
        "feelings": means.self_report_trends(actor=actor, since=period.since, until=period.until),
        "term_start": board.organisation_term_start(actor.organisation_id, today),
        "may_set_terms": term_policy.role_may(actor, "manage"),
        "shown": board.SHOWN_ON_DASHBOARD,
    }
    audit_record(actor=actor, action="dashboard.read")
    return render(request, "outcomes/dashboard.html", context)


def _scope_query(scope) -> str:
    chosen = (("site", scope.site_id or ""), ("group", scope.group_id or ""), ("need", scope.need))
    return urlencode({key: value for key, value in chosen if value})


ALERT_PAGE_SIZE = 50


@member_required
@require_safe
def dashboard_alert(request, alert: str):
    """Everyone in one of the dashboard's alerts about people, by name, a page at a time."""
    from . import dashboard as board

    actor = request.membership
    report_policy.require(actor, "view_dashboard")
    listed = board.ALERT_LISTS.get(alert)
    if listed is None:
        raise Http404("No such list.")
    scope, sites, groups = _dashboard_scope(request, actor)
    today = timezone.localdate()
    page = Paginator(listed.people(actor, scope, today), ALERT_PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(actor=actor, action="dashboard.read", detail={"list": listed.title})
    return render(
        request,
        "outcomes/dashboard_alert.html",
        {
            "alert": listed,
            "page": page,
            "rows": listed.rows(list(page.object_list), today),
            "site": next((site for site in sites if site.pk == scope.site_id), None),
            "need": dict(Need.choices).get(scope.need, ""),
            "group": next((group for group in groups if group.pk == scope.group_id), None),
            "scope_query": _scope_query(scope),
            "term_start": board.organisation_term_start(actor.organisation_id, today),
        },
    )
