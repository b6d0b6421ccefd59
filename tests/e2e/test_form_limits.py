"""The pages' scripts hold no limits of their own: change a limit on the server and the warning or refusal in
the browser moves with it, in the server's words."""

from playwright.sync_api import expect

from attunement.practice import services as practice_services

from .conftest import log_in
from .test_quick_log import PRACTITIONER, open_first_person


def test_the_quick_log_warns_at_the_limits_the_server_sets(tablet, live_server, monkeypatch):
    monkeypatch.setattr(practice_services, "USUAL_MINUTES", (2, 45))
    monkeypatch.setattr(practice_services, "LONGEST_MINUTES", 200)
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    minutes, warning = page.locator("#id_minutes"), page.locator("#minutes-warning")
    confirm = page.locator("#long-confirm")

    minutes.fill("45")
    expect(warning).to_have_text("")
    minutes.fill("46")
    expect(warning).to_have_text(practice_services.unusual_minutes_message(46))
    expect(confirm).to_be_visible()
    minutes.fill("201")
    expect(warning).to_have_text(practice_services.too_many_minutes_message(201))
    expect(warning).to_contain_text("more than 200 minutes")
    expect(confirm).to_be_hidden()
    minutes.fill("1")
    expect(warning).to_have_text(practice_services.too_few_minutes_message())
    expect(warning).to_contain_text("at least 2")


def test_a_photo_over_the_limit_is_refused_as_soon_as_it_is_chosen(tablet, live_server, settings, tmp_path):
    settings.LEARNER_PHOTO_MAX_BYTES = 1536
    page, base = tablet, live_server.url
    log_in(page, base, "priya@oakfield.example")
    page.goto(f"{base}/learners/new/")
    expect(page.locator("#id_photo_helptext")).to_contain_text("under 1.5 KB")
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    big.write_bytes(b"\x89PNG" + b"0" * 1533)
    small.write_bytes(b"\x89PNG" + b"0" * 1532)

    page.set_input_files("#id_photo", str(big))
    refusal = page.locator("#id_photo-too-big")
    expect(refusal).to_have_text("That photo is larger than 1.5 KB. Please choose a smaller one.")
    assert page.locator("#id_photo").evaluate("input => input.files.length") == 0
    page.set_input_files("#id_photo", str(small))
    expect(refusal).to_have_count(0)
