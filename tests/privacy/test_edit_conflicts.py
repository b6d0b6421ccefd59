"""Two tabs on the retention settings: the stale save is refused, the typed numbers stay, the first is kept."""

import html
import re

import pytest
from django.urls import reverse

from attunement.privacy.models import RetentionSettings

from ..conftest import login

YEARS = {
    "sessions_years": "3",
    "reviews_years": "8",
    "profile_years": "8",
    "plans_years": "8",
    "person_years": "8",
    "audit_years": "6",
}


def token(page: str) -> str:
    return re.search(r'name="version" value="(\w+)"', page).group(1)


@pytest.mark.django_db
def test_a_stale_save_of_the_retention_settings_is_refused(world, client):
    login(client, world.coordinator)
    url = reverse("records:retention")
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    assert client.post(url, {**YEARS, "version": token(first)}).status_code == 302

    stale = {**YEARS, "sessions_years": "5", "audit_years": "9"}
    for _ in range(2):
        refused = client.post(url, {**stale, "version": token(second)})
        page = html.unescape(refused.content.decode())
        assert refused.status_code == 409
        assert "Someone else saved how long records are kept while you were editing it" in page
        assert 'name="sessions_years" value="5"' in page and 'name="audit_years" value="9"' in page
        assert "What the other person saved" in page
        saved = RetentionSettings.objects.get(organisation=world.school)
        assert (saved.sessions_years, saved.audit_years) == (3, 6)

    assert client.post(url, {**stale, "version": token(page)}).status_code == 302
    saved.refresh_from_db()
    assert (saved.sessions_years, saved.audit_years) == (5, 9)
