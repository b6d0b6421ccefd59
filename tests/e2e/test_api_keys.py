"""An administrator makes a key in the browser, another system uses it over HTTP, and the documentation page
works with no outside network."""

import json
import re
import urllib.error
import urllib.request

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from attunement.accounts.two_factor import enrol_authenticator
from attunement.organisations.models import Organisation, Role
from attunement.organisations.services import membership_add
from attunement.setup.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

from .conftest import log_in


def _administrator():
    user = get_user_model().objects.create_user(email="ada@oakfield.example", password=DEMO_PASSWORD, first_name="Ada")
    enrol_authenticator(user, DEMO_TOTP_SECRET)
    membership_add(
        organisation=Organisation.objects.get(name="Oakfield Special School"), user=user, role=Role.ADMINISTRATOR
    )


def _call(url, secret):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def serious(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def test_an_administrator_makes_a_key_another_system_uses_it_and_revoking_stops_it(tablet, live_server):
    page, base = tablet, live_server.url
    _administrator()
    log_in(page, base, "ada@oakfield.example")
    page.get_by_role("link", name="API keys: let another system use Attunement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    assert serious(page) == []
    page.get_by_label("Name").fill("School information system")
    page.get_by_label(re.compile("Co-ordinator: reads")).check()
    page.get_by_role("button", name="Make the key").click()
    secret = page.get_by_label("The key").input_value()
    assert secret.startswith("att_")
    assert serious(page) == []

    status, people = _call(f"{live_server.url}/api/v1/people", secret)
    assert status == 200 and len(people["people"]) > 5

    page.goto(f"{base}/organisation/api-keys/")
    row = page.get_by_role("row", name=re.compile("School information system"))
    expect(row).not_to_contain_text("Never")
    assert secret not in page.content()
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    status, refused = _call(f"{live_server.url}/api/v1/people", secret)
    assert status == 401 and "revoked" in refused["detail"]


def test_the_api_documentation_works_with_no_outside_network(tablet, live_server):
    page, base = tablet, live_server.url
    elsewhere = []
    page.on("request", lambda request: request.url.startswith(base) or elsewhere.append(request.url))
    page.goto(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Attunement API")
    expect(page.get_by_text("/api/v1/people/{person_id}/sessions").first).to_be_visible()
    assert elsewhere == []
