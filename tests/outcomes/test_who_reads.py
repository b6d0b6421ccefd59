"""The quick log says beside each note box who will read it; what it says is what the family page and the
reports really show."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.organisations.models import Role
from attunement.practice.services import session_record
from attunement.privacy.models import Consent

from ..conftest import details, login, shown

MARKERS = {  # in lower case as they are looked for
    "what_happened": "zebrawhat",
    "significant_moment": "zebramoment",
    "how_i_did": "zebrahowidid",
    "next_time": "zebranexttime",
    "ending_reason": "zebraending",
    "first": "zebrafirst",
    "typical": "zebratypical",
}


@pytest.fixture
def noted(world):
    from attunement.learners.models import Plan, PlanOutcome

    outcome = PlanOutcome.objects.create(plan=Plan.objects.create(learner=world.mine, kind="ehcp"), text="Turns")
    session_record(
        actor=world.practitioner,
        learner=world.mine,
        details=details(
            started_at=timezone.now() - timedelta(days=3),
            enjoyment=3,
            outcome_ids=[outcome.pk],
            what_happened=MARKERS["what_happened"],
            significant_moment=MARKERS["significant_moment"],
            how_i_did=MARKERS["how_i_did"],
            next_time=MARKERS["next_time"],
            ending="partner_ended",
            ending_reason=MARKERS["ending_reason"],
            behaviours=[(MARKERS["first"], "new"), (MARKERS["typical"], "typical")],
        ),
    )
    for purpose in ("family", "reports"):
        Consent.objects.create(
            learner=world.mine,
            purpose=purpose,
            given_by="parent",
            giver_name="Mum",
            starts_on=timezone.localdate() - timedelta(days=30),
            review_on=timezone.localdate() + timedelta(days=60),
        )
    return world.mine


def _reads(client, url, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, url
    return shown(response).lower()  # the family page writes firsts in lower case


@pytest.mark.django_db
def test_the_quick_log_says_who_reads_each_note(world, client):
    login(client, world.practitioner)
    page = _reads(client, reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}))
    assert page.count("who reads this:") == 4 and "who reads these:" in page
    assert page.count("the team only. it never reaches the family or any report.") == 2


@pytest.mark.django_db
def test_what_the_quick_log_says_is_what_the_family_and_the_reports_show(world, noted, client):
    login(client, world.members[Role.FAMILY])
    family_page = _reads(client, reverse("practice:family_person", kwargs={"learner_id": noted.pk}))
    login(client, world.practitioner)

    def report(kind):
        return _reads(client, reverse("learners:report", kwargs={"learner_id": noted.pk, "kind": kind}))

    family_reports = report("family") + report("story")
    evidence = report("evidence")
    login(client, world.coordinator)
    case_study = report("case-study")
    practice = _reads(client, reverse("outcomes:my_practice"))

    # What happened: the team, the family on their page, and the plan review evidence report.
    assert MARKERS["what_happened"] in family_page and MARKERS["what_happened"] in evidence
    assert MARKERS["what_happened"] not in family_reports + case_study
    # A significant moment: the family on their page and in their reports; not in the case study until released.
    assert MARKERS["significant_moment"] in family_page and MARKERS["significant_moment"] in family_reports
    assert MARKERS["significant_moment"] not in case_study
    # Never seen before: family page, family reports and the evidence report; typical ones stay with the team.
    for page in (family_page, family_reports, evidence):
        assert MARKERS["first"] in page and MARKERS["typical"] not in page
    # How I did, next time and why a session was ended: the team only, never the family or any report.
    for private in ("how_i_did", "next_time", "ending_reason"):
        for page in (family_page, family_reports, evidence, case_study, practice):
            assert MARKERS[private] not in page, private
    session_page = _reads(client, reverse("practice:timeline", kwargs={"learner_id": noted.pk}))
    assert MARKERS["what_happened"] in session_page
