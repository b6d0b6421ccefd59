"""Coding by hand in real Chromium: the clock after a seek with the browser's own scrubber, the video and the code
buttons on one screen, five seconds on, the coder's reaction time, and a state coded by holding its key."""

import json
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from attunement.codings.models import CodingEvent, EthogramCode
from attunement.organisations.models import Membership
from attunement.reflection import video_services
from attunement.reflection.models import VideoComment
from attunement.reflection.sample_video import write_sample_video

from .conftest import BUSY_MACHINE_WAIT_MS, log_in
from .test_video_reflection import SHOWN_TIME, a_filmable_session_of, player_ready, shown_seconds

SAM = "sam@oakfield.example"
FRAME = 1 / 25
# Where the screenshots of the player at each size are written, to be looked at.
SHOTS = Path(os.environ.get("ATTUNEMENT_VAR_DIR", "/tmp")) / "player-screens"
SIZES = {
    "tablet-portrait": {"width": 768, "height": 1024},
    "tablet-landscape": {"width": 1024, "height": 768},
    "laptop": {"width": 1366, "height": 768},
    "laptop-1280x800": {"width": 1280, "height": 800},
    "laptop-1440x900": {"width": 1440, "height": 900},
}
# The least share of the window's height the video has: on a laptop the video sits beside the code buttons.
VIDEO_SHARE = {"tablet-portrait": 0.3, "tablet-landscape": 0.3, "laptop": 0.6}


def a_ready_video(queued_work, tmp_path, *, width=640, height=360, seconds=8.0):
    """A film of one of Sam's sessions, uploaded and made playable (and measured) by the queued work."""
    learner, session = a_filmable_session_of(SAM)
    tmp_path.mkdir(parents=True, exist_ok=True)
    film = write_sample_video(tmp_path / "film.mp4", seconds=seconds, width=width, height=height, fps=25)
    video = video_services.video_upload(
        actor=Membership.objects.get(user__email=SAM),
        session=session,
        path=str(film),
        size=film.stat().st_size,
        original_name="film.mp4",
    )
    assert queued_work.run() == ["video_proxy_make", "video_analyse"]
    return video


def open_player(page, base, video):
    page.goto(f"{base}/reflection/videos/{video.pk}/")
    player_ready(page)
    page.locator("#code-buttons button").first.wait_for()


def saved_times(code):
    return list(CodingEvent.objects.filter(code=code).order_by("pk").values_list("time", "end"))


# A browser that calls requestVideoFrameCallback only for frames presented while the video plays, as the one on
# which the clock stayed at 0:00 after a scrub before the first play (Chromium here also calls it for a seek).
FRAME_CALLBACKS_ONLY_WHILE_PLAYING = """
const original = HTMLVideoElement.prototype.requestVideoFrameCallback;
HTMLVideoElement.prototype.requestVideoFrameCallback = function (callback) {
  const video = this;
  const whilePlaying = (now, frame) => (video.paused ? original.call(video, whilePlaying) : callback(now, frame));
  return original.call(video, whilePlaying);
};
"""


@pytest.mark.parametrize("frame_callbacks", ["as Chromium", "only while playing"])
def test_a_seek_with_the_browser_s_own_scrubber_before_playing_moves_the_clock_and_what_is_saved(
    tablet, live_server, queued_work, tmp_path, frame_callbacks
):
    page, base = tablet, live_server.url
    video = a_ready_video(queued_work, tmp_path)
    log_in(page, base, SAM)
    if frame_callbacks == "only while playing":
        page.add_init_script(FRAME_CALLBACKS_ONLY_WHILE_PLAYING)
    open_player(page, base, video)
    assert page.locator(SHOWN_TIME).inner_text() == "0:00.00"

    # The browser's scrubber sets the element's time; nothing has been played.
    page.evaluate("document.getElementById('player').currentTime = 2.13")
    page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:02.1')")
    assert shown_seconds(page) == pytest.approx(2.13, abs=FRAME)
    assert page.evaluate("document.getElementById('player').paused")

    page.get_by_role("heading", name="Code this video").click()  # keys go to the page, not a control
    page.keyboard.press("d")  # the learner smiles, a moment
    page.get_by_text("Learner smiles or laughs at 0:02.1").wait_for()
    [(time, end)] = saved_times("L-smiles")
    assert time == pytest.approx(2.13, abs=FRAME) and end is None

    # A note is saved at the frame on screen too.
    page.fill("#comment-text", "Here she looks up.")
    page.get_by_role("button", name="Add note at this moment").click()
    page.get_by_role("button", name="Jump to 0:02").wait_for()
    assert VideoComment.objects.get().time == pytest.approx(2.13, abs=FRAME)

    # A second scrub, then coding at once: the code waits for the frame the seek lands on.
    page.evaluate(
        """() => {
            const video = document.getElementById('player');
            video.currentTime = 5.5;
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 's', bubbles: true }));
        }"""
    )
    page.get_by_text("Learner vocalises at 0:05.").wait_for()
    [(time, _)] = saved_times("L-vocalises")
    assert time == pytest.approx(5.5, abs=FRAME)


@pytest.mark.parametrize("size", SIZES)
def test_the_video_and_the_code_buttons_on_one_screen(browser, live_server, demo, queued_work, tmp_path, size):
    viewport = SIZES[size]
    video = a_ready_video(queued_work, tmp_path, seconds=12.0)
    portrait = None
    if size == "laptop":  # a phone video held upright, too
        portrait = a_ready_video(queued_work, tmp_path / "p", width=360, height=640, seconds=2.0)
    laptop = size.startswith("laptop")
    context = browser.new_context(viewport=viewport, has_touch=not laptop, service_workers="block")
    context.set_default_timeout(BUSY_MACHINE_WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, live_server.url, SAM)
        for film, name in ((portrait, f"{size}-portrait-video"), (video, size)):
            if film is None:
                continue
            open_player(page, live_server.url, film)
            page.evaluate("document.getElementById('player-area').scrollIntoView({ block: 'start' })")
            page.wait_for_function("() => document.getElementById('player-area').getBoundingClientRect().top <= 1")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}.png"))
            codes = [button.bounding_box() for button in page.locator("#code-buttons button").all()]
            controls = [c.bounding_box() for c in page.locator(".player-controls").locator("button, select").all()]
            picture = page.locator("#player").bounding_box()
            assert len(codes) == 14 and len(controls) == 6  # the codes of the standard ethogram, the controls
            clock = page.locator("#player-time").bounding_box()
            for box in [picture, clock, *codes, *controls]:
                assert box["x"] >= -1 and box["x"] + box["width"] <= viewport["width"] + 1, (name, box)
                assert box["y"] >= -1 and box["y"] + box["height"] <= viewport["height"] + 1, (name, box)
            for box in codes + controls:
                assert box["height"] >= 44, (name, box)  # still big enough to tap
            least = VIDEO_SHARE.get(size, 0.55)  # and the video is not shrunk to nothing
            assert picture["height"] >= least * viewport["height"], (name, picture, least)
            if laptop:  # beside the codes, not above them
                assert picture["x"] + picture["width"] <= min(box["x"] for box in codes + controls), name

        # Forward five seconds sits beside back five seconds, and goes on five seconds.
        back = page.get_by_role("button", name="⟲ 5 s")
        forward = page.get_by_role("button", name="5 s ⟳")
        back_box, forward_box = back.bounding_box(), forward.bounding_box()
        gap = forward_box["x"] - (back_box["x"] + back_box["width"])
        assert abs(back_box["y"] - forward_box["y"]) < 2 and 0 <= gap < 16
        forward.click()
        page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:05.0')")
        forward.click()
        page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:10.0')")
        back.click()
        page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:05.0')")
    finally:
        context.close()


def play_until(page, seconds):
    page.get_by_role("button", name="Play / pause").click()
    page.wait_for_function(f"() => document.getElementById('player').currentTime >= {seconds}")


def test_reaction_time_is_taken_off_while_playing_and_remembered(tablet, live_server, queued_work, tmp_path):
    page, base = tablet, live_server.url
    video = a_ready_video(queued_work, tmp_path)
    log_in(page, base, SAM)
    open_player(page, base, video)

    page.fill("#reaction-offset", "0.5")
    page.locator("#reaction-offset").dispatch_event("change")
    page.get_by_text("now put 0.5 s earlier").wait_for()
    page.reload()
    player_ready(page)
    assert page.input_value("#reaction-offset") == "0.5"  # remembered for Sam on this tablet

    play_until(page, 1.5)
    pressed_at = page.evaluate(
        """() => {
            const at = document.getElementById('player').currentTime;
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'd', bubbles: true }));
            return at;
        }"""
    )
    page.get_by_text("Learner smiles or laughs at").wait_for()
    [(time, _)] = saved_times("L-smiles")
    # The frame on screen at the key press (a frame or two behind the element's clock), less half a second.
    assert pressed_at - 0.5 - 3 * FRAME <= time <= pressed_at - 0.5 + FRAME

    # Paused, the code goes at the frame chosen: no offset.
    page.get_by_role("button", name="Play / pause").click()
    page.wait_for_function("() => document.getElementById('player').paused")
    page.get_by_role("heading", name="Code this video").click()
    page.keyboard.press(".")
    page.wait_for_function("() => !document.getElementById('player').seeking")
    shown = shown_seconds(page)
    page.keyboard.press("s")
    page.get_by_text("Learner vocalises at").wait_for()
    [(time, _)] = saved_times("L-vocalises")
    assert time == pytest.approx(shown, abs=0.011)


def test_a_state_lasts_while_its_key_is_held(tablet, live_server, queued_work, tmp_path):
    page, base = tablet, live_server.url
    video = a_ready_video(queued_work, tmp_path)
    log_in(page, base, SAM)
    open_player(page, base, video)
    page.get_by_role("heading", name="Code this video").click()
    looks = page.locator("#code-buttons button[data-code='L-looks']")

    play_until(page, 1.0)
    page.keyboard.down("a")  # the learner looks at the partner's face…
    page.get_by_text("Learner looks at face started at").wait_for()
    assert looks.get_attribute("aria-pressed") == "true"
    started = page.evaluate("document.getElementById('player').currentTime")
    page.wait_for_function(f"() => document.getElementById('player').currentTime >= {started + 1.5}")
    page.keyboard.up("a")  # …and looks away
    page.get_by_text("Learner looks at face at").wait_for()
    [(time, end)] = saved_times("L-looks")
    assert end is not None and end - time >= 1.4
    assert looks.get_attribute("aria-pressed") == "false"

    # A quick tap still starts a state that the next tap stops.
    page.keyboard.press("g")
    page.get_by_text("Learner touches started at").wait_for()
    started = page.evaluate("document.getElementById('player').currentTime")
    page.wait_for_function(f"() => document.getElementById('player').currentTime >= {started + 1.0}")
    page.keyboard.press("g")
    page.get_by_text("Learner touches at").wait_for()
    [(time, end)] = saved_times("L-touches")
    assert end - time >= 0.9


def test_a_code_with_modifiers_asks_for_them_while_the_video_plays(tablet, live_server, queued_work, tmp_path):
    page, base = tablet, live_server.url
    video = a_ready_video(queued_work, tmp_path, seconds=12.0)
    EthogramCode.objects.filter(key="L-vocalises").update(
        modifier_sets=[
            {"name": "Sound", "values": ["hum (h)", "squeal (e)", "word (r)"], "multiple": False},
            {"name": "With", "values": ["hands", "feet"], "multiple": True},
        ]
    )
    EthogramCode.objects.filter(key="L-looks").update(
        modifier_sets=[{"name": "Where", "values": ["eyes (y)", "mouth (m)"]}]
    )
    log_in(page, base, SAM)
    open_player(page, base, video)
    picker = page.locator("#modifier-picker")
    vocalises = page.locator("#code-buttons button[data-code='L-vocalises']")

    # A tap on the code while the video plays: its choices come at once, in big buttons, and the video goes on.
    play_until(page, 1.0)
    tapped_at = page.evaluate("document.getElementById('player').currentTime")
    vocalises.tap()
    picker.get_by_text("Learner vocalises at 0:0").wait_for()
    assert "Sound (1 of 2)? Choose one." in picker.inner_text()
    choices = picker.get_by_role("button")
    assert choices.count() == 5  # hum, squeal, word, none, skip the rest
    assert all(button.bounding_box()["height"] >= 44 for button in choices.all())
    assert not page.evaluate("document.getElementById('player').paused")
    problems = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert problems == []
    picker.get_by_role("button", name="squeal").tap()
    picker.get_by_text("With (2 of 2)? Choose any, then Done.").wait_for()
    picker.get_by_role("button", name="feet").tap()
    picker.get_by_role("button", name="hands").tap()
    assert picker.get_by_role("button", name="feet").get_attribute("aria-pressed") == "true"
    picker.get_by_role("button", name="Done").tap()
    events = page.locator("#my-events")
    events.get_by_text("Learner vocalises (squeal; hands, feet)").wait_for()
    assert picker.is_hidden()
    [(time, modifiers)] = CodingEvent.objects.filter(code="L-vocalises").values_list("time", "modifiers")
    assert modifiers == "squeal|hands,feet"
    # The moment of the tap, not of the choice.
    assert tapped_at - 3 * FRAME <= time <= tapped_at + 0.5
    assert not page.evaluate("document.getElementById('player').paused")

    # By keyboard: the code's key, then each choice's key; Esc answers "None" for what is left.
    page.get_by_role("button", name="Play / pause").click()
    page.wait_for_function("() => document.getElementById('player').paused")
    page.get_by_role("heading", name="Code this video").click()
    page.keyboard.press("s")
    picker.get_by_text("Sound (1 of 2)").wait_for()
    page.keyboard.press("h")
    picker.get_by_text("With (2 of 2)").wait_for()
    page.keyboard.press("Escape")
    events.get_by_text("Learner vocalises (hum) ").wait_for()
    # And a set answered "none".
    page.keyboard.press("s")
    picker.get_by_text("Sound (1 of 2)").wait_for()
    page.keyboard.press("0")
    page.keyboard.press("2")  # feet
    page.keyboard.press("Enter")
    events.get_by_text("Learner vocalises (feet)").wait_for()
    saved = sorted(CodingEvent.objects.filter(code="L-vocalises").values_list("modifiers", flat=True))
    assert saved == ["None|feet", "hum|None", "squeal|hands,feet"]

    # A state asks when it starts, and is saved with the choice when it stops.
    page.keyboard.press("a")
    picker.get_by_text("Learner looks at face started at").wait_for()
    picker.get_by_text("Where? Choose one.").wait_for()
    page.keyboard.press("m")
    assert picker.is_hidden()
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.keyboard.press("a")
    events.get_by_text("Learner looks at face (mouth)").wait_for()
    assert list(CodingEvent.objects.filter(code="L-looks").values_list("modifiers", flat=True)) == ["mouth"]

    # A code without modifiers asks nothing.
    page.keyboard.press("d")
    page.get_by_text("Learner smiles or laughs at").wait_for()
    assert picker.is_hidden()

    # The BORIS project has them in its modifier column, and the ethogram's lists with the code.
    coding_pass = CodingEvent.objects.filter(code="L-vocalises").first().coding_pass
    page.goto(
        f"{base}/reflection/learners/{video.session.learner_id}/sessions/{video.session_id}/coding/{coding_pass.pk}/"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="BORIS project").click()
    project = json.loads(Path(download.value.path()).read_text())
    [observation] = project["observations"].values()
    assert sorted(row[3] for row in observation["events"] if row[2] == "L-vocalises") == [
        "None|feet",
        "hum|None",
        "squeal|hands,feet",
    ]
    behaviour = next(b for b in project["behaviors_conf"].values() if b["code"] == "L-vocalises")
    assert [s["values"] for s in behaviour["modifiers"].values()] == [
        ["hum (h)", "squeal (e)", "word (r)"],
        ["hands", "feet"],
    ]
