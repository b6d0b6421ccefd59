"""A note a family member sends from home reaches the practitioner's "For you" list, in real Chromium."""

import re

from playwright.sync_api import expect

from attunement.learners.models import Learner

from .conftest import log_in

PARENT = "parent@oakfield.example"
PRACTITIONER = "sam@oakfield.example"
NOTE = "Tried the drum game at teatime and she kept the turns going for ages"


def test_a_practitioner_sees_a_note_from_home_in_for_you_and_follows_it(new_tablet, live_server):
    base = live_server.url
    learner = Learner.objects.get(assignments__user__email=PARENT)
    assert learner.assignments.filter(user__email=PRACTITIONER).exists()
    name = f"{learner.display_name} {learner.last_name}"

    parent = new_tablet()
    log_in(parent, base, PARENT)
    parent.goto(f"{base}/family/{learner.pk}/")
    parent.get_by_role("link", name="Tell the team something from home").click()
    parent.get_by_label("What did you notice?").fill(NOTE)
    parent.get_by_role("button", name="Send to the team").click()
    expect(parent.get_by_text("can now read your note")).to_be_visible()

    practitioner = new_tablet()
    log_in(practitioner, base, PRACTITIONER)
    practitioner.goto(f"{base}/")
    for_you = practitioner.get_by_role("region", name="For you")
    line = for_you.get_by_role("link", name=re.compile(f"A note from home about {re.escape(name)}"))
    expect(line).to_be_visible()
    expect(for_you).not_to_contain_text("drum game")  # the list says whose and what kind, the page says what
    line.click()
    practitioner.wait_for_url(f"{base}/learners/{learner.pk}/")
    expect(practitioner.get_by_text(NOTE)).to_be_visible()

    practitioner.goto(f"{base}/")
    practitioner.get_by_role("link", name=re.compile("See all that needs you")).click()
    practitioner.wait_for_url(f"{base}/notifications/")
    expect(practitioner.get_by_role("heading", level=1)).to_have_text("For you")
    expect(
        practitioner.get_by_role("link", name=re.compile(f"A note from home about {re.escape(name)}"))
    ).to_be_visible()
