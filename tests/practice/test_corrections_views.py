"""The correction pages as people use them: open the form (filled in with what was saved), change something,
save, and read the history on the record's page; who gets the buttons and who is refused; a stale form."""

import html
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.organisations.models import AuditEntry, Role
from attunement.practice import services
from attunement.practice.models import Correction, Fundamental, ProgressReview, Session
from attunement.practice.services import RatingInput

from ..conftest import details, login


class _Form(HTMLParser):
    """What a browser would send for each form with method=post: every named field's current value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] = {}
        self.depth = 0
        self._textarea = self._select = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.depth, self.data = 1, {}
            self.forms.append(self.data)
            return
        if not self.depth:
            return
        if tag == "template":
            self.depth += 1  # rows kept for the browser to copy are not sent
        if self.depth > 1:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self._add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "template" and self.depth > 1:
            self.depth -= 1
        elif tag == "form" and self.depth == 1:
            self.depth = 0
        elif tag == "textarea" and self._textarea:
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value[1:] if value.startswith("\n") else value  # as a browser reads it
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_of(response) -> dict:
    """The page's main form (the one with the most fields: not the log-out button's)."""
    parser = _Form()
    parser.feed(response.content.decode())
    data = max(parser.forms, key=len)
    data.pop("csrfmiddlewaretoken", None)
    return data


def text(response) -> str:
    return html.unescape(response.content.decode())


def _log(world, actor, learner=None, **overrides):
    values = {"minutes": 20, "place": "Classroom", **overrides}
    return services.session_record(actor=actor, learner=learner or world.mine, details=details(**values)).session


def _url(name, session_or_review):
    key = "session_id" if isinstance(session_or_review, Session) else "review_id"
    return reverse(f"practice:{name}", kwargs={"learner_id": session_or_review.learner_id, key: session_or_review.pk})


def _review(world, actor):
    scale = world.school.progress_scale
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    return services.review_record(
        actor=actor,
        learner=world.mine,
        scale=scale,
        reviewed_on=timezone.localdate(),
        ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk)],
    )


@pytest.mark.django_db
def test_the_form_is_filled_in_with_what_was_saved_and_saving_it_unchanged_changes_nothing(world, client):
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    session = _log(
        world,
        world.practitioner,
        fundamental_ids=[fundamental.pk],
        behaviours=[("Reached for my hand", "new")],
        what_happened="We sang.",
        ending="natural",
        enjoyment=3,
    )
    login(client, world.practitioner)
    opened = client.get(_url("session_correct", session))
    assert opened.status_code == 200
    data = form_of(opened)
    assert data["minutes"] == ["20"] and data["place"] == ["Classroom"]
    assert data["fundamentals"] == [str(fundamental.pk)]
    assert data["behaviour-0-text"] == ["Reached for my hand"] and data["behaviour-0-novelty"] == ["new"]
    assert data["what_happened"] == ["We sang."] and data["enjoyment"] == ["3"] and data["ending"] == ["natural"]
    assert data["learner"] == [str(world.mine.pk)] and data["version"] == [services.session_edit_token(session)]

    saved = client.post(_url("session_correct", session), data, follow=True)
    assert "Nothing was changed" in text(saved)
    assert not Correction.objects.exists() and not AuditEntry.objects.filter(action="session.change").exists()


@pytest.mark.django_db
def test_a_practitioner_fixes_the_minutes_and_the_session_page_shows_who_changed_what(world, client):
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    timeline_url = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    assert "changed after saving" not in text(client.get(timeline_url))
    page = text(client.get(_url("session", session)))
    assert "Correct this session" in page and "Withdraw this session" in page

    data = form_of(client.get(_url("session_correct", session)))
    data["minutes"] = ["15"]
    data["reason"] = ["I typed 20 by mistake"]
    saved = client.post(_url("session_correct", session), data, follow=True)
    assert saved.redirect_chain[-1][0] == _url("session", session)
    page = text(saved)
    assert "Correction saved: minutes 20 → 15" in page
    who, today = str(world.practitioner.user), f"{timezone.localdate():%-d %b %Y}"
    assert f"Changed by {who} on {today}: minutes 20 → 15" in page
    assert "(why: I typed 20 by mistake)" in page
    assert "15 minutes" in page
    session.refresh_from_db()
    assert session.minutes == 15 and session.place == "Classroom"
    assert f'data-clear-draft="{_url("session_correct", session)}"' in page
    timeline = text(client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})))
    assert "changed after saving" in timeline and "15 min" in timeline


@pytest.mark.django_db
def test_bad_input_is_explained_and_nothing_changes(world, client):
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    data = form_of(client.get(_url("session_correct", session)))
    data["minutes"] = ["0"]
    data["place"] = ["Hall"]
    refused = client.post(_url("session_correct", session), data)
    assert refused.status_code == 400
    page = text(refused)
    assert "Your correction was not saved yet" in page and "at least 1" in page
    assert 'value="Hall"' in page
    session.refresh_from_db()
    assert (session.minutes, session.place) == (20, "Classroom")


@pytest.mark.django_db
def test_a_session_logged_for_the_wrong_person_is_moved_to_the_right_one(world, client):
    Assignment.objects.create(learner=world.unassigned, user=world.practitioner.user)
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    opened = client.get(_url("session_correct", session))
    assert "Una Test" in text(opened)  # the people this practitioner logs for are offered
    data = form_of(opened)
    data["learner"] = [str(world.unassigned.pk)]
    moved = client.post(_url("session_correct", session), data, follow=True)
    session.refresh_from_db()
    assert session.learner == world.unassigned
    assert moved.redirect_chain[-1][0] == _url("session", session)
    assert "The session is now recorded for Una, not Mina." in text(moved)
    timeline = text(client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})))
    assert "Classroom" not in timeline


@pytest.mark.django_db
def test_a_practitioner_cannot_move_a_session_to_someone_they_do_not_log_for(world, client):
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    data = form_of(client.get(_url("session_correct", session)))
    data["learner"] = [str(world.unassigned.pk)]
    refused = client.post(_url("session_correct", session), data)
    assert refused.status_code == 400
    assert "Select a valid choice" in text(refused)
    session.refresh_from_db()
    assert session.learner == world.mine


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_409_and_shows_what_the_other_person_saved(world, client):
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    mine = form_of(client.get(_url("session_correct", session)))
    services.session_correct(
        actor=world.coordinator,
        session=session,
        details=services.SessionDetails(
            started_at=session.started_at,
            minutes=25,
            place="Classroom",
            partner_ids=[world.practitioner.user_id],
        ),
        version=mine["version"][0],
    )
    mine["minutes"] = ["15"]
    refused = client.post(_url("session_correct", session), mine)
    assert refused.status_code == 409
    page = text(refused)
    assert "Someone else saved this session while you were editing it" in page
    assert "What the other person saved" in page and "<dt>Minutes</dt><dd>25</dd>" in page
    assert 'value="15"' in page  # what this person typed is still there
    session.refresh_from_db()
    assert session.minutes == 25
    again = form_of(refused)
    assert again["version"] == [services.session_edit_token(session)]
    assert client.post(_url("session_correct", session), again).status_code == 302
    session.refresh_from_db()
    assert session.minutes == 15


@pytest.mark.django_db
def test_a_coordinator_withdraws_a_session_with_a_reason_and_it_leaves_the_timeline(world, client):
    session = _log(world, world.practitioner, what_happened="Drumming by the window")
    timeline_url = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    login(client, world.coordinator)
    assert "Drumming by the window" in text(client.get(timeline_url))
    withdraw = _url("session_withdraw", session)
    form = client.get(withdraw)
    assert form.status_code == 200 and "Why are you withdrawing it?" in text(form)
    refused = client.post(withdraw, {"reason": "  "})
    assert refused.status_code == 400 and "Please say why" in text(refused)
    assert Session.objects.filter(pk=session.pk).exists()

    done = client.post(withdraw, {"reason": "Logged for the wrong person"}, follow=True)
    assert done.redirect_chain[-1][0] == timeline_url
    assert "The session is withdrawn" in text(done)
    assert "Drumming by the window" not in text(done)
    # Co-ordinators can still open it, marked withdrawn with the reason; the practitioner cannot.
    page = text(client.get(_url("session", session)))
    assert "Withdrawn by" in page and "Logged for the wrong person" in page
    assert "Correct this session" not in page
    login(client, world.practitioner)
    assert client.get(_url("session", session)).status_code == 404
    assert client.get(_url("session_correct", session)).status_code == 403  # says it was withdrawn


@pytest.mark.django_db
def test_the_person_who_saved_it_is_told_when_their_time_to_correct_it_has_passed(world, client):
    session = _log(world, world.practitioner)
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=8))
    login(client, world.practitioner)
    page = text(client.get(_url("session", session)))
    assert "Correct this session" not in page
    assert "You can correct what you saved for 7 days after saving it" in page
    refused = client.get(_url("session_correct", session))
    assert refused.status_code == 403 and "please ask a co-ordinator" in text(refused)
    login(client, world.members[Role.THERAPIST])
    page = text(client.get(_url("session", session)))
    assert "Correct this session" not in page and "You can correct what you saved" not in page


ROLES_ON_A_PRACTITIONERS_RECORD = {
    # role: what the four pages answer for a session and a review saved today by Mina's practitioner
    Role.PRACTITIONER: 200,
    Role.COORDINATOR: 200,
    Role.ADMINISTRATOR: 200,
    Role.MANAGER: 403,
    Role.THERAPIST: 403,
    Role.FAMILY: 403,
    Role.EXTERNAL: 404,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES_ON_A_PRACTITIONERS_RECORD))
def test_who_may_open_each_correction_page(world, client, role):
    session = _log(world, world.practitioner)
    review = _review(world, world.practitioner)
    urls = [
        _url("session_correct", session),
        _url("session_withdraw", session),
        _url("review_correct", review),
        _url("review_withdraw", review),
    ]
    login(client, world.members[role])
    expected = ROLES_ON_A_PRACTITIONERS_RECORD[role]
    for url in urls:
        assert client.get(url).status_code == expected, (role, url)
        if expected != 200:
            assert client.post(url, {"reason": "x", "minutes": "5"}).status_code == expected, (role, url)
    session.refresh_from_db()
    assert not session.is_withdrawn and session.minutes == 20
    # Another organisation's co-ordinator, and a practitioner not assigned to the person, find nothing there.
    for member in (world.other_coordinator,):
        login(client, member)
        assert all(client.get(url).status_code == 404 for url in urls)


@pytest.mark.django_db
def test_a_practitioner_not_assigned_finds_nothing_and_a_wrong_record_number_is_not_found(world, client):
    session = _log(world, world.coordinator, learner=world.unassigned)
    login(client, world.practitioner)
    assert client.get(_url("session_correct", session)).status_code == 404
    login(client, world.coordinator)
    # A session of another person, reached through Mina's address, is not found.
    wrong = reverse("practice:session_correct", kwargs={"learner_id": world.mine.pk, "session_id": session.pk})
    assert client.get(wrong).status_code == 404


@pytest.mark.django_db
def test_a_review_is_corrected_and_withdrawn_from_its_page(world, client):
    review = _review(world, world.practitioner)
    rating = review.ratings.get()
    levels = list(review.scale.levels.all())
    login(client, world.practitioner)
    page = text(client.get(_url("review", review)))
    assert "Correct this review" in page
    opened = client.get(_url("review_correct", review))
    data = form_of(opened)
    key = f"fundamental:{rating.fundamental_id}"
    assert data[key] == [str(levels[0].pk)]
    data[key] = [str(levels[1].pk)]
    data["summary"] = ["Turn-taking is growing."]
    saved = client.post(_url("review_correct", review), data, follow=True)
    assert saved.redirect_chain[-1][0] == _url("review", review)
    page = text(saved)
    assert f"{rating.fundamental.name} {levels[0].label} → {levels[1].label}" in page
    assert "Changed by" in page
    rating.refresh_from_db()
    assert rating.level_id == levels[1].pk

    done = client.post(_url("review_withdraw", review), {"reason": "Reviewed the wrong pupil"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("practice:progress", kwargs={"learner_id": world.mine.pk})
    assert not ProgressReview.objects.filter(pk=review.pk).exists()
    assert AuditEntry.objects.filter(action="review.withdraw", learner_id=world.mine.pk).exists()


@pytest.mark.django_db
def test_the_organisation_sets_how_long_staff_may_correct_their_own_records(world, client):
    login(client, world.coordinator)
    url = reverse("practice:settings")
    page = client.get(url)
    assert "Days staff may correct their own records" in text(page)
    data = form_of(page)
    data["correction_days"] = ["-1"]
    refused = client.post(url, data)
    assert refused.status_code == 400 and "from 0 to 365" in text(refused)
    data["correction_days"] = ["14"]
    assert client.post(url, data).status_code == 302
    world.school.refresh_from_db()
    assert world.school.correction_days == 14
    # And the window follows: a practitioner's record saved 10 days ago can now still be corrected.
    session = _log(world, world.practitioner)
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=10))
    login(client, world.practitioner)
    assert client.get(_url("session_correct", session)).status_code == 200


@pytest.mark.django_db
def test_a_correction_sent_after_the_session_was_withdrawn_is_refused_in_plain_words(world, client):
    session = _log(world, world.practitioner)
    login(client, world.practitioner)
    data = form_of(client.get(_url("session_correct", session)))
    services.session_withdraw(actor=world.coordinator, session=session, reason="Recorded twice")
    data["minutes"] = ["15"]
    refused = client.post(_url("session_correct", session), data)
    assert refused.status_code == 403
    assert "This record has been withdrawn, so it can no longer be changed." in text(refused)
    assert Session.every_record.get(pk=session.pk).minutes == 20


@pytest.mark.django_db
def test_the_audit_trail_leads_a_coordinator_to_a_withdrawn_session_and_its_reason(world, client):
    session = _log(world, world.practitioner)
    services.session_withdraw(actor=world.practitioner, session=session, reason="Recorded twice")
    login(client, world.coordinator)
    trail = text(client.get(reverse("audit")))
    assert "Recorded twice" in trail
    assert f'href="{_url("session", session)}">Open the withdrawn session</a>' in trail
    page = text(client.get(_url("session", session)))
    assert "Withdrawn by" in page and "Recorded twice" in page


@pytest.mark.django_db
def test_a_correction_asks_again_about_a_never_seen_before_the_history_already_holds(world, client):
    _log(world, world.practitioner, behaviours=[("Reached for my hand", "typical")])
    session = _log(world, world.practitioner, behaviours=[("Reached for my hand", "new")])
    login(client, world.practitioner)
    data = form_of(client.get(_url("session_correct", session)))
    data["minutes"] = ["15"]
    asked = client.post(_url("session_correct", session), data)
    assert asked.status_code == 400 and "Seen before: once" in text(asked)
    again = form_of(asked)
    again["behaviour-0-seen"] = ["typical"]
    assert client.post(_url("session_correct", session), again).status_code == 302
    session.refresh_from_db()
    assert session.minutes == 15 and [b.novelty for b in session.behaviours.all()] == ["typical"]
    # Its own behaviours are not "history": a session holding the only record of a first is not questioned.
    only = _log(world, world.practitioner, learner=world.mine, behaviours=[("Clapped twice", "new")])
    data = form_of(client.get(_url("session_correct", only)))
    data["place"] = ["Hall"]
    assert client.post(_url("session_correct", only), data).status_code == 302


@pytest.mark.django_db
def test_a_coordinator_brings_back_a_session_withdrawn_by_mistake(world, client):
    session = _log(world, world.practitioner, what_happened="Drumming by the window")
    timeline_url = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    services.session_withdraw(actor=world.practitioner, session=session, reason="Wrong person, I thought")
    # The practitioner who withdrew it cannot bring it back; a co-ordinator can, with a reason.
    login(client, world.practitioner)
    assert client.get(_url("session_withdraw", session)).status_code == 302  # "already withdrawn"
    assert client.post(_url("session_withdraw", session), {"action": "restore", "reason": "x"}).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    login(client, world.members[Role.MANAGER])
    assert client.get(_url("session_withdraw", session)).status_code == 403

    login(client, world.coordinator)
    page = text(client.get(_url("session", session)))
    assert "Bring it back" in page
    form = client.get(_url("session_withdraw", session))
    assert form.status_code == 200 and "Wrong person, I thought" in text(form)
    refused = client.post(_url("session_withdraw", session), {"action": "restore", "reason": ""})
    assert refused.status_code == 400 and "Please say why" in text(refused)
    assert not Session.objects.filter(pk=session.pk).exists()

    back = client.post(_url("session_withdraw", session), {"action": "restore", "reason": "It was Mina after all"})
    assert back.status_code == 302 and Session.objects.filter(pk=session.pk).exists()
    # Sent twice: it stays back, and is not withdrawn again.
    again = client.post(_url("session_withdraw", session), {"action": "restore", "reason": "It was Mina after all"})
    assert again.status_code == 302 and Session.objects.filter(pk=session.pk).exists()
    page = text(client.get(_url("session", session)))
    today = f"{timezone.localdate():%-d %b %Y}"
    assert f"Withdrawn by {world.practitioner.user} on {today}: Wrong person, I thought" in page
    assert f"Brought back by {world.coordinator.user} on {today}: It was Mina after all" in page
    assert "Drumming by the window" in text(client.get(timeline_url))
    entry = AuditEntry.objects.get(action="session.restored")
    assert entry.detail["reason"] == "It was Mina after all" and entry.learner_id == world.mine.pk
    assert Correction.objects.filter(session=session).count() == 2
