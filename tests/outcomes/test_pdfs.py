"""Person-level reports print properly: they start on page one, carry who prepared them, for which
organisation and when, on every page, keep table rows whole, have the right heading, and are tagged PDFs."""

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from attunement.learners.models import Plan, PlanOutcome
from attunement.organisations.models import Role
from attunement.outcomes.case_studies import case_study_release, draft_sentences
from attunement.outcomes.periods import Period
from attunement.practice.services import session_record
from attunement.privacy.models import Consent

from ..conftest import details, login

LONG = (
    "{n}: turn-taking with the drum went on and on, with pauses that grew longer each time, and a big smile "
    "at the end when the adult waited and then copied the last beat exactly as it had been played"
)


def pages_of(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


@pytest.fixture
def busy_year(world):
    """Mina's year: one plan outcome with 40 linked sessions, each with a long note; consents to share."""
    world.practitioner.user.first_name, world.practitioner.user.last_name = "Priya", "Shah"
    world.practitioner.user.save()
    plan = Plan.objects.create(learner=world.mine, kind="ehcp")
    outcome = PlanOutcome.objects.create(plan=plan, text="Will share attention on a shared activity")
    now = timezone.now()
    for n in range(40):
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                started_at=now - timedelta(days=300 - 7 * n),
                minutes=10,
                enjoyment=3,
                outcome_ids=[outcome.pk],
                what_happened=LONG.format(n=f"Session {n:02d}"),
                significant_moment="Laughed at the pause" if n == 3 else "",
            ),
        )
    for purpose in ("family", "reports"):
        Consent.objects.create(
            learner=world.mine,
            purpose=purpose,
            given_by="parent",
            giver_name="Mum",
            starts_on=timezone.localdate() - timedelta(days=360),
            review_on=timezone.localdate() + timedelta(days=60),
        )
    return outcome


def _person_pdf(client, world, kind):
    url = reverse("learners:report", kwargs={"learner_id": world.mine.pk, "kind": kind})
    return client.get(url, {"format": "pdf"})


def _release(world):
    today = timezone.localdate()
    period = Period(since=today - timedelta(days=364), until=today)
    drafts = draft_sentences(actor=world.coordinator, learner=world.mine, period=period)
    case_study_release(
        actor=world.coordinator,
        learner=world.mine,
        period=period,
        texts={s.source: s.suggested for s in drafts},
        left_out=set(),
    )


@pytest.mark.django_db
def test_the_plan_review_evidence_starts_on_its_first_page_and_keeps_rows_whole(world, busy_year, client):
    login(client, world.practitioner)
    pages = pages_of(_person_pdf(client, world, "evidence"))
    assert len(pages) > 2
    # Page one holds the first outcome and its first rows, not just a title above an empty page.
    assert "Will share attention on a shared activity" in pages[0] and "Session 00" in pages[0]
    # Every row's long note is whole on one page: no row is split across a page break.
    for n in range(40):
        note = " ".join(LONG.format(n=f"Session {n:02d}").split())
        holding = [i for i, text in enumerate(pages) if f"Session {n:02d}" in text]
        assert len(holding) == 1, f"row {n} is on pages {holding}"
        squashed = re.sub(r"\s+", "", pages[holding[0]])
        assert re.sub(r"\s+", "", note) in squashed, f"row {n} is split"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url", "query", "heading"),
    [
        ("practitioner", "learners:report", "story", "My year: Mina"),
        ("practitioner", "learners:report", "family", "Mina: what the team has seen"),
        ("practitioner", "learners:report", "evidence", "Plan review evidence: Mina Test"),
        ("coordinator", "learners:report", "case-study", "Case study: A pupil"),
        ("practitioner", "outcomes:my_practice", None, "My practice: Priya"),
        ("practitioner", "outcomes:carer_report", None, "For carers: Priya"),
        ("therapist", "outcomes:therapist_report", None, "For therapists: Therapist's caseload"),
    ],
)
def test_every_person_level_pdf_is_headed_dated_signed_numbered_and_tagged(
    world, busy_year, client, who, url, query, heading
):
    member = world.coordinator if who == "coordinator" else world.members[Role(who)]
    login(client, member)
    if query == "case-study":
        _release(world)
    if query:
        response = client.get(reverse(url, kwargs={"learner_id": world.mine.pk, "kind": query}), {"format": "pdf"})
    else:
        response = client.get(reverse(url), {"format": "pdf"})
    pages = pages_of(response)
    # The right heading, on the first page, and the first page is not blank.
    assert heading in pages[0], pages[0][:300]
    if url == "outcomes:carer_report":
        assert "My practice" not in pages[0]
    prepared = f"Prepared {timezone.localdate():%-d %B %Y}"
    for number, text in enumerate(pages, start=1):
        assert prepared in text, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text, f"page {number}"
        if query == "case-study":
            # Anonymised: neither the organisation nor the person who prepared it is named.
            assert "Test School" not in text and "Coordinator" not in text and "Mina" not in text
        else:
            assert "Test School" in text, f"page {number}"
            assert f"by {member.user.get_full_name().strip() or member.user.short_name}" in text
    # Tagged (PDF/UA): a structure tree, marked content, a language and a title for screen readers.
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert str(root["/Lang"]).lower().startswith("en")
    title = reader.metadata.title or ""
    assert title and ("Mina" not in title if query == "case-study" else heading.split(":")[0] in title)
    if query == "case-study":
        assert "Test School" not in (reader.metadata.author or "") and "Mina" not in str(reader.metadata)


@pytest.mark.django_db
def test_the_adult_service_pdfs_use_its_own_words(world, client):
    from attunement.organisations.models import Setting

    assert world.other.setting == Setting.ADULT_SERVICE
    learner = world.foreign
    Consent.objects.create(
        learner=learner,
        purpose="reports",
        given_by="self",
        giver_name="Faro",
        starts_on=timezone.localdate() - timedelta(days=30),
        review_on=timezone.localdate() + timedelta(days=60),
    )
    session_record(actor=world.other_coordinator, learner=learner, details=details(enjoyment=3))
    today = timezone.localdate()
    period = Period(since=today - timedelta(days=364), until=today)
    case_study_release(actor=world.other_coordinator, learner=learner, period=period, texts={}, left_out=set())
    login(client, world.other_coordinator)
    url = reverse("learners:report", kwargs={"learner_id": learner.pk, "kind": "case-study"})
    (first, *_) = pages_of(client.get(url, {"format": "pdf"}))
    assert "Case study: A person we support" in first and "pupil" not in first and "Other Service" not in first


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed")
@pytest.mark.django_db
def test_pdftotext_reads_the_first_page_of_the_evidence(world, busy_year, client, tmp_path):
    login(client, world.practitioner)
    path = tmp_path / "evidence.pdf"
    path.write_bytes(_person_pdf(client, world, "evidence").content)
    first = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True)
    text = " ".join(first.stdout.split())
    assert "Plan review evidence: Mina Test" in text and "Session 00" in text and "Test School" in text
