"""A practitioner films a short clip on an iPhone held upright (HEVC in a QuickTime file, stored on its side with a
turn to show it upright) and adds it in the quick log. Chromium has no HEVC decoder without the hardware for it:
given the clip as filmed it plays the sound with no picture. The timeline says the clip is being prepared; once
the copy for playing is made, Chromium plays it, upright."""

from playwright.sync_api import expect

from attunement.organisations.models import Membership
from attunement.practice import selectors
from attunement.practice.models import SessionMedia
from attunement.reflection.sample_video import write_sample_video

from .conftest import log_in, with_video_consent

PRACTITIONER = "sam@oakfield.example"
PLAYER_LOADED = """video => new Promise(done => {
    if (video.readyState >= 2) return done(true);
    video.addEventListener('loadeddata', () => done(true), {once: true});
    video.addEventListener('error', () => done(false), {once: true});
    video.preload = 'auto';
    video.load();
})"""


def test_an_iphone_portrait_hevc_clip_says_it_is_being_prepared_then_plays_upright_in_chromium(
    tablet, live_server, queued_work, tmp_path
):
    member = Membership.objects.get(user__email=PRACTITIONER)
    person = selectors.learners_recent_first(actor=member)[0]
    with_video_consent(person)
    film = write_sample_video(
        tmp_path / "IMG_0003.MOV", seconds=1.0, width=640, height=360, fps=10, codec="libx265", rotation=-90
    )
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{person.pk}/")
    page.locator("#id_clip").set_input_files(
        files=[{"name": "IMG_0003.MOV", "mimeType": "video/quicktime", "buffer": film.read_bytes()}]
    )
    page.locator("#save-session").click()
    page.wait_for_url(f"**/learners/{person.pk}/timeline/")
    expect(page.locator(".timeline .media-preparing").first).to_contain_text("This clip is being prepared")
    expect(page.locator(".timeline video.media-clip")).to_have_count(0)

    assert queued_work.run() == ["session_clip_copy_make"]  # what the worker does
    page.reload()
    player = page.locator(".timeline video.media-clip").first
    expect(player).to_be_visible()
    assert player.evaluate(PLAYER_LOADED), "Chromium could not load the clip's copy"
    width, height = player.evaluate("video => [video.videoWidth, video.videoHeight]")
    assert (width, height) == (360, 640), "the clip does not show upright, with its picture"
    item = SessionMedia.objects.get(session__learner=person)
    assert item.file.read() == film.read_bytes()  # kept as filmed
