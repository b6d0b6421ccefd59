"""Every main page passes the axe accessibility engine (no serious or critical problems) at tablet size."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from attunement.interaction.demo_video import seed_demo_video
from attunement.learners.models import Learner
from attunement.notifications.tokens import unsubscribe_token
from attunement.organisations.models import Membership, Role

from .conftest import log_in

PAGES = [
    "/",
    "/learners/",
    "/learners/groups/",
    "/learners/import/",
    "/learners/{id}/",
    "/learners/{id}/edit/",
    "/learners/{id}/profile/",
    "/learners/{id}/plans/",
    "/learners/{id}/plans/new/",
    "/learners/{id}/people/",
    "/learners/{id}/family-feedback/",
    "/learners/{id}/timeline/",
    "/learners/{id}/progress/",
    "/learners/{id}/reviews/new/",
    "/organisation/fundamentals/",
    "/organisation/settings/",
    "/log/",
    "/log/{id}/",
    "/organisation/audit/",
    "/organisation/members/",
    "/organisation/members/invite/",
    "/organisation/members/import/",
    "/organisation/members/{member}/",
    "/organisation/members/{member}/end-access/",
    "/privacy/learners/{id}/",
    "/privacy/learners/{id}/consents/new/",
    "/privacy/learners/{id}/legal-hold/",
    "/privacy/learners/{id}/export/",
    "/privacy/learners/{id}/erase/",
    "/privacy/retention/",
    "/accounts/2fa/",
    "/means/",
    "/means/training/",
    "/means/training/record/",
    "/means/training/matrix/",
    "/means/training/courses/",
    "/means/supervision/",
    "/means/supervision/new/",
    "/means/champions/",
    "/means/how-i-feel/",
    "/means/how-staff-feel/",
    "/organisation/summary/dashboard/",
    "/organisation/summary/terms/",
    "/organisation/summary/inspection/",
    "/organisation/summary/reports/",
    "/organisation/summary/reports/management/",
    "/organisation/summary/reports/commissioners/?group={group}",
    "/organisation/summary/reports/my-practice/",
    "/organisation/summary/reports/for-carers/",
    "/organisation/summary/reports/for-therapists/",
    "/learners/{id}/reports/case-study/",
    "/reflection/ethogram/",
    "/reflection/learners/{id}/sessions/{session}/coding/",
    "/learners/{id}/reports/",
    "/learners/{id}/reports/story/",
    "/learners/{id}/reports/family/",
    "/learners/{id}/reports/evidence/",
    "/reflection/videos/",
    "/reflection/videos/{video}/",
    "/reflection/learners/{video_learner}/sessions/{video_session}/video/",
    "/reflection/learners/{video_learner}/sessions/{video_session}/coding/{coding}/",
    "/reflection/learners/{video_learner}/sessions/{video_session}/coding/{coding}/export/",
    "/reflection/library/",
    "/notifications/",
    "/notifications/settings/",
    "/notifications/unsubscribe/{unsubscribe}/",
]


def test_main_pages_have_no_serious_accessibility_problems(tablet, live_server):
    page, base = tablet, live_server.url
    video = seed_demo_video()  # the demo's filmed session: coded, shared with Priya, commented on
    assert video is not None and video.is_ready
    assert Learner.objects.filter(group__isnull=False).exists(), "the demo has classes"
    log_in(page, base, "priya@oakfield.example")
    learner = Learner.objects.filter(organisation__name="Oakfield Special School").first()
    priya = Membership.objects.get(user__email="priya@oakfield.example", organisation=learner.organisation)
    axe = Axe()
    problems = {}
    for path in PAGES:
        page.goto(
            base
            + path.format(
                id=learner.pk,
                session=learner.sessions.first().pk,
                video=video.pk,
                video_learner=video.session.learner_id,
                video_session=video.session_id,
                coding=video.coding_passes.first().pk,
                member=Membership.objects.get(user__email="sam@oakfield.example").pk,
                unsubscribe=unsubscribe_token(priya.pk),
                group=learner.group_id,
            )
        )
        assert page.locator("h1").count() == 1, f"{path} should have exactly one main heading"
        violations = axe.run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    assert problems == {}


def test_the_family_portal_and_the_inspectors_summary_have_no_serious_accessibility_problems(tablet, live_server):
    page, base = tablet, live_server.url
    axe = Axe()
    for email, paths in (
        (
            "parent@oakfield.example",
            ["/", "/family/{id}/notes/new/", "/family/{id}/feedback/", "/notifications/", "/notifications/settings/"],
        ),
        ("inspector@oakfield.example", ["/"]),
    ):
        log_in(page, base, email)
        learner = Learner.objects.get(assignments__user__email="parent@oakfield.example")
        for path in paths:
            page.goto(base + path.format(id=learner.pk, session=learner.sessions.first().pk))
            assert page.locator("h1").count() == 1
            violations = axe.run(page).response["violations"]
            assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == [], path
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/accounts/login/")


# Pages only administrators reach, as the demo's administrator sees them.
ADMINISTRATOR_PAGES = ["/organisation/api-keys/", "/organisation/single-sign-on/"]


def test_the_administrators_pages_have_no_serious_accessibility_problems(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, "office@oakfield.example")
    axe = Axe()
    for path in ADMINISTRATOR_PAGES:
        page.goto(base + path)
        assert page.locator("h1").count() == 1, path
        violations = axe.run(page).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == [], path


# The demo's other roles, each signed in as one of its staff: every page of PAGES their role may open is checked
# as they see it. A page their role is refused (403 or 404) is passed over; test_isolation.py holds the refusals.
OTHER_ROLES = {
    Role.PRACTITIONER: "sam@oakfield.example",
    Role.THERAPIST: "lee@oakfield.example",
    Role.MANAGER: "head@oakfield.example",
    Role.ADMINISTRATOR: "office@oakfield.example",
}


@pytest.mark.parametrize("role", list(OTHER_ROLES), ids=[str(role) for role in OTHER_ROLES])
def test_every_page_the_other_roles_reach_has_no_serious_accessibility_problems(tablet, live_server, role):
    page, base = tablet, live_server.url
    email = OTHER_ROLES[role]
    video = seed_demo_video()
    member = Membership.objects.get(user__email=email, organisation__name="Oakfield Special School")
    assert member.role == role
    learner = (
        Learner.objects.filter(assignments__user__email=email).first()
        or Learner.objects.filter(organisation=member.organisation).first()
    )
    session = learner.sessions.first()
    log_in(page, base, email)
    axe = Axe()
    reached, problems = [], {}
    for path in PAGES:
        response = page.goto(
            base
            + path.format(
                id=learner.pk,
                session=session.pk,
                video=video.pk,
                video_learner=video.session.learner_id,
                video_session=video.session_id,
                coding=video.coding_passes.first().pk,
                member=Membership.objects.get(user__email="sam@oakfield.example").pk,
                unsubscribe=unsubscribe_token(member.pk),
                group=learner.group_id,
            )
        )
        if response.status in (403, 404):
            continue
        assert response.status == 200, f"{path}: {response.status}"
        reached.append(path)
        assert page.locator("h1").count() == 1, f"{path} should have exactly one main heading"
        violations = axe.run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    assert len(reached) >= 30, f"a {role.label} reached only {reached}"
    assert problems == {}
