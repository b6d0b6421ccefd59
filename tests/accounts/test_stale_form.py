"""A form sent from a page opened before signing in again gets a kind page that keeps the draft."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attunement.practice.models import Session

ORIGIN = "http://testserver"


def _form_token(client, url) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _new_token_in_browser(client, url) -> None:
    """What signing in again does: the browser gets a new token, so forms drawn before it no longer match."""
    del client.cookies["csrftoken"]
    client.get(url)


def _quick_log(world, **extra):
    started = timezone.localtime() - timedelta(minutes=15)
    return {
        "submission_key": str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "10",
        "planned": "false",
        "what_happened": "We took turns with the drum and she laughed.",
        "behaviour-0-text": "Tapped back twice",
        "behaviour-0-novelty": "typical",
        **extra,
    }


def _send_again_form(page: str) -> dict[str, str]:
    """What the "Send again" form would post, as a browser would read it."""
    import html

    form = page.split('id="send-again"', 1)[1].split("</form>", 1)[0]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1) if value else "")
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(value)
    return fields


@pytest.fixture
def strict(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.practitioner.user)
    return client


@pytest.mark.django_db
class TestStaleForm:
    def test_the_kind_page_shows_the_draft_and_sending_again_saves_once(self, world, strict):
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        old_token = _form_token(strict, url)
        _new_token_in_browser(strict, url)
        data = _quick_log(world, csrfmiddlewaretoken=old_token, password="hunter2-not-shown")
        response = strict.post(url, data, HTTP_ORIGIN=ORIGIN)
        page = response.content.decode()
        assert response.status_code == 403
        assert "CSRF verification failed" not in page
        assert "Your page was open from before you signed in again" in page
        assert "Your words are below — copy them or send again" in page
        assert "We took turns with the drum and she laughed." in page
        assert "hunter2-not-shown" not in page and old_token not in page
        assert page.count("We took turns with the drum") == 1  # once, in the box to copy: not in the menu too
        assert not Session.objects.exists()

        resend = _send_again_form(page)
        assert resend["submission_key"] == data["submission_key"] and resend["minutes"] == "10"
        assert resend["what_happened"] == "We took turns with the drum and she laughed."
        assert "password" not in resend and resend["csrfmiddlewaretoken"] != old_token
        assert strict.post(url, resend, HTTP_ORIGIN=ORIGIN).status_code == 302
        again = strict.post(url, resend, HTTP_ORIGIN=ORIGIN, follow=True)
        assert "already saved" in again.content.decode()
        session = Session.objects.get()
        assert session.what_happened == "We took turns with the drum and she laughed."
        assert session.behaviours.get().description == "Tapped back twice"

    def test_a_form_from_another_site_is_not_shown_back_or_offered_again(self, world, strict):
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        strict.get(url)
        response = strict.post(url, _quick_log(world), HTTP_ORIGIN="https://elsewhere.example")
        page = response.content.decode()
        assert response.status_code == 403
        assert "Nothing was saved" in page
        assert "We took turns" not in page and 'id="send-again"' not in page

    def test_signed_out_the_words_are_shown_to_copy_without_a_form_to_send(self, world):
        client = Client(enforce_csrf_checks=True)
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        response = client.post(url, _quick_log(world, csrfmiddlewaretoken="x" * 32), HTTP_ORIGIN=ORIGIN)
        page = response.content.decode()
        assert response.status_code == 403
        assert "We took turns with the drum and she laughed." in page
        assert 'id="send-again"' not in page and "You are signed out" in page

    def test_a_stale_sign_in_page_asks_to_sign_in_again_and_shows_nothing_typed(self, world):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            reverse("account_login"),
            {"login": "someone@example.org", "password": "secret-typed", "csrfmiddlewaretoken": "y" * 32},
            HTTP_ORIGIN=ORIGIN,
        )
        page = response.content.decode()
        assert response.status_code == 403
        assert "Please sign in again" in page
        assert "someone@example.org" not in page and "secret-typed" not in page
