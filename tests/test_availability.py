"""The service stays up while someone does something long: short write transactions, sessions that are
not written on every request, files only the service can read, and a worker that outlives a busy database."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attunement.accounts.middleware import LAST_SEEN_KEY


def _session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]


@pytest.mark.django_db
class TestSessionWrites:
    def test_a_signed_in_page_writes_nothing_until_a_minute_has_passed(self, world, client):
        client.force_login(world.practitioner.user)
        assert client.get("/").status_code == 200  # the first request notes when the user was seen
        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                assert client.get("/").status_code == 200
        assert _session_writes(queries.captured_queries) == []

        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 90
        session.save()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert len(_session_writes(queries.captured_queries)) == 1
        assert time.time() - client.session[LAST_SEEN_KEY] < 5

    def test_the_idle_timeout_still_counts_from_the_last_request_seen(self, world, client, settings):
        settings.IDLE_TIMEOUT_MINUTES = 30
        client.force_login(world.practitioner.user)
        client.get("/")
        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 29 * 60  # active 29 minutes ago: still signed in, and seen now
        session.save()
        assert client.get("/").status_code == 200
        assert time.time() - client.session[LAST_SEEN_KEY] < 5
        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 31 * 60
        session.save()
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
