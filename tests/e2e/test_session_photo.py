"""A practitioner takes a photo in the quick log (a file input, as a tablet's camera fills it) and sees it on the
person's timeline, served through the permission check, in real Chromium against a running server."""

import io
import os
import re
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from attunement.organisations.models import Membership, Organisation
from attunement.practice import selectors
from attunement.practice.models import Session, SessionMedia
from attunement.practice.services import SessionDetails, session_record
from attunement.privacy.selectors import consent_allows

from .conftest import BUSY_MACHINE_WAIT_MS, CHROMIUM, CHROMIUM_ARGS, TABLET, log_in, with_video_consent

PRACTITIONER = "sam@oakfield.example"


def camera_photo() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_chosen_in_the_quick_log_shows_on_the_timeline(tablet, live_server):
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = selectors.learners_recent_first(actor=member)[0]
    with_video_consent(person)
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.locator("#save-session").click()
    page.wait_for_url(f"**/learners/{person.pk}/timeline/")
    photo = page.locator(".timeline .media-thumb").first
    expect(photo).to_be_visible()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") == 320  # the picture itself arrived, not a refusal
    item = SessionMedia.objects.get(session__learner=person)
    assert not dict(Image.open(item.file.path).getexif().get_ifd(0x8825))


def test_a_photo_added_by_mistake_is_deleted_from_the_session_page_after_saying_yes(tablet, live_server):
    """Tapping Delete asks first: saying no keeps the photo; saying yes deletes it, and it no longer shows."""
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    session = session_record(
        actor=member,
        learner=person,
        details=SessionDetails(started_at=timezone.now() - timedelta(minutes=30), minutes=10, place="Hall"),
    ).session
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/learners/{person.pk}/sessions/{session.pk}/")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0005.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.get_by_role("button", name="Add to this session").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    photos = page.locator(".media-strip .media-thumb")
    expect(photos).to_have_count(1)
    item = SessionMedia.objects.get(session=session)
    path = item.file.path
    asked = []

    def answer(dialog, yes):
        asked.append(dialog.message)
        dialog.accept() if yes else dialog.dismiss()

    delete = page.get_by_role("button", name="Delete this photo")
    page.once("dialog", lambda dialog: answer(dialog, yes=False))
    delete.click()
    assert asked == ["Delete this photo? It cannot be brought back."]
    expect(photos).to_have_count(1)
    assert SessionMedia.objects.filter(pk=item.pk).exists()
    page.once("dialog", lambda dialog: answer(dialog, yes=True))
    delete.click()
    expect(page.get_by_text("Photo deleted.")).to_be_visible()
    assert page.url == f"{base}/learners/{person.pk}/sessions/{session.pk}/"
    expect(photos).to_have_count(0)
    assert len(asked) == 2
    assert not SessionMedia.objects.filter(pk=item.pk).exists()
    assert not os.path.exists(path), "the deleted photo's file is still on the server"


def test_offline_a_photo_waits_on_the_tablet_through_a_restart_and_goes_with_its_session(
    reopenable_tablet, live_server
):
    """Oakfield lets photos wait on a tablet: taken with no signal, kept in the browser's store with the session
    through closing the browser, sent with it when the connection is back, once."""
    member = Membership.objects.get(user__email=PRACTITIONER)
    assert member.organisation.media_wait_on_tablets
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    base = live_server.url
    context = reopenable_tablet(service_workers="block")  # the open page keeps the save: no kept pages needed
    page = context.pages[0] if context.pages else context.new_page()
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    context.set_offline(True)
    page.locator("#id_minutes").fill("14")
    page.get_by_label("Natural end", exact=True).click()
    page.get_by_label(re.compile("^What happened")).fill("Photo taken with no signal")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#queue-kept")).to_contain_text("saved on this tablet, with a photo")
    expect(page.locator("#id_photo")).to_have_js_property("value", "")  # the form is ready for the next one

    context.close()  # the browser is closed, as after a restart, and opened again online
    context = reopenable_tablet(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{base}/")
    if "/accounts/login/" in page.url:
        log_in(page, base, PRACTITIONER)
    expect(page.locator("#queue-status")).to_contain_text("Sent: 1 save has reached the team.")
    session = Session.objects.get(learner=person, what_happened="Photo taken with no signal")
    item = SessionMedia.objects.get(session=session)
    stored = Image.open(item.file.path)
    assert stored.size == (320, 240) and not dict(stored.getexif().get_ifd(0x8825))
    page.goto(f"{base}/learners/{person.pk}/timeline/")
    photo = page.locator(".timeline .media-thumb").first
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") == 320


def test_where_the_organisation_does_not_allow_it_the_session_waits_and_the_page_says_the_photo_did_not(
    tablet, live_server
):
    member = Membership.objects.get(user__email=PRACTITIONER)
    Organisation.objects.filter(pk=member.organisation_id).update(media_wait_on_tablets=False)
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    page.context.set_offline(True)
    page.locator("#id_minutes").fill("14")
    page.get_by_label("Natural end", exact=True).click()
    page.get_by_label(re.compile("^What happened")).fill("Photo not allowed to wait")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.get_by_role("button", name="Save session").click()
    kept = page.locator("#queue-kept")
    expect(kept).to_contain_text("saved on this tablet, but without a photo")
    expect(kept).to_contain_text("your organisation does not let them wait on a tablet")
    expect(kept).to_contain_text("open the session and add it there")
    page.context.set_offline(False)
    expect(page.locator("#queue-status")).to_contain_text("Sent: 1 save has reached the team.")
    assert Session.objects.filter(learner=person, what_happened="Photo not allowed to wait").exists()
    assert not SessionMedia.objects.filter(session__learner=person).exists()


def test_a_voice_note_recorded_in_the_browser_is_saved_and_plays_on_the_timeline(browser, live_server, demo):
    """Chromium's stand-in microphone (a tone) records through MediaRecorder; the recording goes with the form."""
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    own = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    violations = []
    try:
        context = own.new_context(viewport=TABLET, has_touch=True, service_workers="block")
        context.set_default_timeout(BUSY_MACHINE_WAIT_MS)
        context.grant_permissions(["microphone"], origin=live_server.url)
        context.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
        page = context.new_page()
        log_in(page, live_server.url, PRACTITIONER)
        page.goto(f"{live_server.url}/log/{person.pk}/")
        page.get_by_role("button", name="Record").click()
        expect(page.locator("[data-voice=clock]")).to_have_text(re.compile(r"^0:(0[2-9]|[1-5]\d)$"))  # 2 s or more
        page.get_by_role("button", name="Stop").click()
        expect(page.locator("[data-voice=status]")).to_contain_text("Voice note recorded")
        expect(page.get_by_role("button", name="Discard")).to_be_visible()
        page.locator("#save-session").click()
        page.wait_for_url(f"**/learners/{person.pk}/timeline/")
        expect(page.locator(".timeline audio").first).to_be_visible()
    finally:
        own.close()
    assert violations == [], violations
    item = SessionMedia.objects.get(session__learner=person, kind="audio")
    assert item.duration >= 1.5 and item.content_type.startswith("audio/")


def test_the_photo_and_voice_note_parts_have_no_serious_accessibility_problems(tablet, live_server):
    member = Membership.objects.get(user__email=PRACTITIONER)
    people = selectors.learners_recent_first(actor=member)
    person = next(p for p in people if consent_allows(p, "video"))
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.locator("#save-session").click()
    page.wait_for_url(f"**/learners/{person.pk}/timeline/")
    session = SessionMedia.objects.get(session__learner=person).session
    pages = [f"/log/{person.pk}/", f"/learners/{person.pk}/timeline/", f"/learners/{person.pk}/sessions/{session.pk}/"]
    without = next((p for p in people if not consent_allows(p, "video")), None)
    if without is not None:
        pages.append(f"/log/{without.pk}/")  # says why photos are not offered
    problems = {}
    for path in pages:
        page.goto(base + path)
        violations = Axe().run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    assert problems == {}


def test_a_draft_with_a_photo_chosen_still_comes_back_with_what_was_typed(tablet, live_server):
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    form_url = f"{base}/log/{person.pk}/"
    page.goto(form_url)
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0004.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.get_by_label(re.compile("^What happened")).fill("Half-written, with a photo")
    second_tab = page.context.new_page()
    page.close()
    second_tab.goto(form_url)
    expect(second_tab.get_by_text("We brought back the session")).to_be_visible()
    expect(second_tab.get_by_label(re.compile("^What happened"))).to_have_value("Half-written, with a photo")
    assert second_tab.locator("#id_photo").evaluate("input => input.files.length") == 0


def test_a_refused_save_opens_again_with_its_photo_back_in_the_form_and_saves_with_it(tablet, live_server):
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = next(p for p in selectors.learners_recent_first(actor=member) if consent_allows(p, "video"))
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    page.context.set_offline(True)
    page.locator("#id_minutes").fill("900")  # over the longest a session may be: refused when sent
    page.get_by_label("Natural end", exact=True).click()
    page.get_by_label(re.compile("^What happened")).fill("Refused with its photo")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}]
    )
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#queue-kept")).to_contain_text("with a photo")
    page.context.set_offline(False)
    expect(page.locator("#queue-status")).to_contain_text("could not be sent")
    page.get_by_role("link", name="See why").click()
    expect(page.locator(".queue-item")).to_contain_text("with a photo")
    page.get_by_role("link", name="Open it in the form").click()
    expect(page.get_by_text("This was not sent. Please check it, then save it again.")).to_be_visible()
    photo_box = page.locator("#id_photo")
    page.wait_for_function("() => document.querySelector('#id_photo').files.length === 1")
    assert photo_box.evaluate("input => input.files[0].name") == "IMG_0003.jpg"
    page.locator("#id_minutes").fill("20")
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    session = Session.objects.get(what_happened="Refused with its photo")
    assert session.minutes == 20
    assert SessionMedia.objects.filter(session=session, kind="photo").count() == 1
