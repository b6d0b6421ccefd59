"""A co-ordinator brings a new colleague in by e-mail and, when they leave, ends their access: in a real browser,
with the invitation read back from a real SMTP server."""

import re

import pytest
from playwright.sync_api import expect

from tests.smtp import SmtpServer, body

from .conftest import log_in

PASSWORD = "harbour-kite-meadow-19"


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        for name, value in server.django_settings.items():
            setattr(settings, name, value)
        yield server


def test_a_new_colleague_is_invited_joins_works_and_leaves(new_tablet, live_server, smtp):
    base = live_server.url
    priya = new_tablet()
    log_in(priya, base, "priya@oakfield.example")
    priya.goto(f"{base}/")
    priya.get_by_role("link", name=re.compile("^Members")).click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Members of Oakfield Special School")
    priya.get_by_role("link", name="Invite someone").click()
    priya.get_by_label("E-mail address").fill("lena.brook@oakfield.example")
    priya.get_by_label("First name").fill("Lena")
    priya.get_by_label("Last name").fill("Brook")
    priya.get_by_label(re.compile("Practitioner —")).check()
    chosen = priya.locator("input[name=learners]").first
    chosen.check()
    person = priya.locator(f"label[for='{chosen.get_attribute('id')}']").inner_text().strip()
    priya.get_by_role("button", name="Send the invitation").click()
    expect(priya.get_by_text("Invitation sent to lena.brook@oakfield.example")).to_be_visible()
    expect(priya.get_by_role("cell", name=re.compile("Waiting, until"))).to_be_visible()

    (message,) = smtp.messages
    link = re.search(r"https?://\S+/invitation/\S+/", body(message)).group(0)
    assert person.split()[0] not in body(message)

    lena = new_tablet()
    lena.goto(link)
    expect(lena.get_by_role("heading", level=1)).to_have_text("Join Oakfield Special School")
    lena.get_by_label("Choose a password").fill(PASSWORD)
    lena.get_by_label("The same password again").fill(PASSWORD)
    lena.get_by_role("button", name="Make my account").click()
    expect(lena.get_by_text("Your account is ready")).to_be_visible()
    log_in(lena, base, "lena.brook@oakfield.example", password=PASSWORD)
    lena.goto(f"{base}/learners/")
    expect(lena.get_by_text(person.split()[0]).first).to_be_visible()

    priya.reload()
    row = priya.get_by_role("row", name=re.compile("Lena Brook"))
    expect(row).to_contain_text("Practitioner")
    row.get_by_role("link", name=re.compile("Change or end Lena Brook's access")).click()
    priya.get_by_role("link", name="End Lena Brook's access").click()
    priya.get_by_role("button", name="End access now").click()
    expect(priya.get_by_text("Lena Brook's access has ended")).to_be_visible()
    expect(priya.get_by_role("heading", name=re.compile("Former members"))).to_be_visible()

    lena.goto(f"{base}/learners/")
    expect(lena).to_have_url(re.compile("/accounts/login/"))
