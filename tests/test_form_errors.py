"""Every form page shows its problems the same way: one summary at the top ("There is a problem") whose links
land on the inputs, and each input that is wrong says so (aria-invalid) and points at its message and help
text (aria-describedby) by ids that are on the page."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from attunement.organisations.models import Role

from .conftest import login
from .reflection.conftest import a_session

NO_KEY_PEOPLE = {"people-TOTAL_FORMS": "0", "people-INITIAL_FORMS": "0"}
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "attunement" / "templates"


class Page(HTMLParser):
    """The parts of a page that tie errors and help to inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, str] = {}  # id -> tag
        self.summaries = 0
        self.summary_headings: list[str] = []
        self.summary_links: list[str] = []
        self.invalid: list[dict] = []
        self.described: list[dict] = []
        self.messages: list[str] = []  # ids of field error messages
        self.helps: list[str] = []
        self._in_summary = 0
        self._in_heading = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if attrs.get("id"):
            assert attrs["id"] not in self.ids or attrs["id"] == "error-summary", f"id {attrs['id']} twice"
            self.ids[attrs["id"]] = tag
        if "error-summary" in classes and "withdrawn-banner" not in classes:
            self.summaries += 1
            self._in_summary = 1
        elif self._in_summary and tag not in ("br", "input", "img"):
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs.get("href", ""))
        if self._in_summary and tag == "h2":
            self._in_heading = True
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs)
        if attrs.get("aria-describedby"):
            self.described.append(attrs)
        if "field-error" in classes and tag == "p":
            self.messages.append(attrs.get("id", ""))
        if "helptext" in classes:
            self.helps.append(attrs.get("id", ""))

    def handle_endtag(self, tag):
        if self._in_summary:
            self._in_summary -= 1
        if tag == "h2":
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading and data.strip():
            self.summary_headings.append(data.strip())

    def referenced(self) -> set[str]:
        return {ref for attrs in self.described for ref in attrs["aria-describedby"].split()}


class Forms(HTMLParser):
    """The post forms on a page, each as (action, fields): what a browser sends when nothing is filled in —
    hidden fields as drawn, every box empty, no box ticked."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", {})
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio", "submit", "file"):
                return
            self._current[1][attrs["name"]] = attrs.get("value", "") if kind == "hidden" else ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def sent_empty(client, url):
    """Post the page's own form (posting back to the page, with the most fields) with nothing filled in."""
    forms = Forms(client.get(url).content.decode()).forms
    fields = max((fields for action, fields in forms if action in ("", url)), key=len)
    return client.post(url, fields)


def check_errors_are_linked(html: str) -> Page:
    page = Page(html)
    assert page.summaries == 1, "one error summary"
    assert page.summary_headings[:1] == ["There is a problem"]
    for href in page.summary_links:
        assert href.startswith("#") and page.ids.get(href[1:]) in ("input", "select", "textarea"), href
    for attrs in page.invalid:
        if attrs.get("type") not in ("radio", "checkbox"):
            assert f"#{attrs['id']}" in page.summary_links, f"{attrs['id']} is wrong but not in the summary"
    referenced = page.referenced()
    for ref in referenced:
        assert ref in page.ids, f"aria-describedby names {ref}, which is not on the page"
    for message in page.messages:
        assert message and message in referenced, f"an error message ({message or 'no id'}) no input points at"
    for help_id in page.helps:
        assert help_id and help_id in referenced, f"help text ({help_id or 'no id'}) no input points at"
    return page


def _pages(world):
    learner = world.mine
    session = a_session(world)
    coordinator, practitioner = world.coordinator, world.practitioner
    lid = {"learner_id": learner.pk}
    in_session = {**lid, "session_id": session.pk}
    return [
        (coordinator, reverse("learners:create")),
        (coordinator, reverse("learners:edit", kwargs=lid)),
        (coordinator, reverse("learners:plan_create", kwargs=lid)),
        (coordinator, reverse("learners:assignments", kwargs=lid)),
        (practitioner, reverse("practice:log_session", kwargs=lid)),
        (practitioner, reverse("practice:review_create", kwargs=lid)),
        (coordinator, reverse("practice:session_withdraw", kwargs=in_session)),
        (coordinator, reverse("practice:settings")),
        (coordinator, reverse("practice:fundamentals")),
        (coordinator, reverse("means:training_record")),
        (coordinator, reverse("means:supervision_new")),
        (coordinator, reverse("means:champions")),
        (coordinator, reverse("means:courses")),
        (practitioner, reverse("means:self_report")),
        (coordinator, reverse("privacy:consent_create", kwargs=lid)),
        (coordinator, reverse("privacy:legal_hold", kwargs=lid)),
        (coordinator, reverse("records:erase", kwargs=lid)),
        (coordinator, reverse("records:retention")),
        (coordinator, reverse("reflection:ethogram")),
        (practitioner, reverse("reflection:import", kwargs=in_session)),
        (world.members[Role.FAMILY], reverse("practice:family_note", kwargs=lid)),
        (world.members[Role.FAMILY], reverse("practice:family_feedback", kwargs=lid)),
        (practitioner, reverse("notifications:settings")),
        (coordinator, reverse("members:invite")),
        (coordinator, reverse("members:import")),
        (coordinator, reverse("members:member", kwargs={"membership_id": practitioner.pk})),
        (world.members[Role.ADMINISTRATOR], reverse("members:single_sign_on")),
        (world.members[Role.ADMINISTRATOR], reverse("api_keys:list")),
    ]


@pytest.mark.django_db
def test_every_form_page_sent_empty_lists_its_problems_once_linked_to_the_inputs(world, client):
    checked = []
    for actor, url in _pages(world):
        client.logout()
        login(client, actor)
        response = sent_empty(client, url)
        assert response.status_code in (200, 400), (url, response.status_code)
        try:
            page = check_errors_are_linked(response.content.decode())
            assert page.summary_links, "the summary links no field"
        except AssertionError as problem:
            raise AssertionError(f"{url}: {problem}") from None
        checked.append(url)
    assert len(checked) == 28


@pytest.mark.django_db
def test_a_field_s_help_text_and_error_are_read_with_it(world, client):
    """The quick log's person field aside, a field drawn by the one field template says what is wrong and how
    to put it right, in that order, both tied to the input."""
    login(client, world.coordinator)
    response = client.post(
        reverse("learners:create"),
        {"first_name": "", "weekly_session_target": "x", **NO_KEY_PEOPLE},
    )
    html = response.content.decode()
    page = check_errors_are_linked(html)
    target = next(attrs for attrs in page.invalid if attrs["name"] == "weekly_session_target")
    assert target["aria-describedby"].split() == [f"{target['id']}_helptext", f"{target['id']}_error"]
    assert page.summary_links.index("#id_first_name") < page.summary_links.index("#id_weekly_session_target")


def test_no_template_draws_its_own_error_summary_or_field_error():
    """The summary and a field's message are drawn in one place each; a page that needs a different layout
    includes forms/_field_error.html rather than writing its own."""
    own = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        if not name.startswith("forms/") and ('<div class="error-summary"' in text or '<p class="field-error"' in text):
            own.append(name)
    # allauth's pages draw fields from its own element template (no bound field there), and the case study's
    # sentences are not a Django form: both tie messages to inputs the same way, with the same ids.
    assert sorted(own) == ["allauth/elements/field.html", "outcomes/case_study_review.html"]
