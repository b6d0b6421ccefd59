"""A practitioner films a session, codes it by keyboard in real Chromium, shares it, and a mentor comments."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.accounts.models import User
from attunement.codings.models import CodingEvent
from attunement.learners.models import Learner
from attunement.privacy.selectors import consent_allows
from attunement.reflection.models import VideoComment
from attunement.reflection.sample_video import write_sample_video

from .conftest import log_in

SHOWN_TIME = "#player-time"


def a_filmable_session_of(email):
    user = User.objects.get(email=email)
    for learner in Learner.objects.filter(assignments__user=user).order_by("pk"):
        session = learner.sessions.order_by("-started_at").first()
        if session is not None and consent_allows(learner, "video"):
            return learner, session
    raise AssertionError(f"the demo has no filmable session for {email}")


def shown_seconds(page) -> float:
    minutes, seconds = page.locator(SHOWN_TIME).inner_text().split(":")
    return int(minutes) * 60 + float(seconds)


def player_ready(page):
    """Wait until the video can be played and nothing is being measured: the page then stays as it is (while
    work is under way it polls, and reloads itself when the work is done)."""
    page.wait_for_function(
        "() => document.getElementById('player')?.readyState >= 2 && !document.getElementById('analysis-progress')"
    )


def test_film_code_by_keyboard_share_and_a_mentor_comments(tablet, new_tablet, live_server, queued_work, tmp_path):
    page, base = tablet, live_server.url
    film = write_sample_video(tmp_path / "session.mp4", seconds=4.0, width=640, height=360, fps=25)
    learner, session = a_filmable_session_of("sam@oakfield.example")
    log_in(page, base, "sam@oakfield.example")

    page.goto(f"{base}/learners/{learner.pk}/sessions/{session.pk}/")
    page.get_by_role("link", name="Add a video").click()
    page.set_input_files("#video-file", str(film))
    page.get_by_role("button", name="Upload the video").click()
    page.wait_for_url(re.compile(r"/reflection/videos/\d+/$"))
    assert queued_work.run() == ["video_proxy_make", "video_analyse"]  # what a worker does after an upload
    player_ready(page)
    assert page.get_by_role("heading", name=f"Video of a session with {learner.display_name}").is_visible()

    # Step on by frames: the time shown is the frame on screen, 1/25 s apart.
    page.get_by_role("heading", name="Code this video").click()  # keys go to the page, not a control
    for _ in range(3):
        page.keyboard.press(".")
    page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent !== '0:00.00'")
    assert 0.1 <= shown_seconds(page) <= 0.14

    page.keyboard.press("d")  # the learner smiles, a moment
    page.get_by_text("Learner smiles or laughs at 0:00.1").wait_for()
    for _ in range(10):
        page.keyboard.press(".")
    page.keyboard.press("s")  # the learner vocalises
    page.get_by_text(re.compile(r"Learner vocalises at 0:00\.5")).wait_for()
    page.keyboard.press("a")  # the learner looks at the face: starts…
    for _ in range(25):
        page.keyboard.press(".")
    page.keyboard.press("a")  # …and stops a second later
    page.get_by_text(re.compile(r"Learner looks at face at 0:00\.5\d–0:01\.5\d: saved")).wait_for()

    events = page.locator("#my-events li")
    assert events.count() == 3
    marks = page.locator("#timeline .timeline-mark")
    assert marks.count() == 3
    assert page.locator("#timeline .timeline-label").all_inner_texts() == [
        "Learner looks at face",
        "Learner smiles or laughs",
        "Learner vocalises",
    ]
    saved = list(CodingEvent.objects.order_by("time", "code").values_list("code", "time", "end"))
    assert [code for code, _, _ in saved] == ["L-smiles", "L-looks", "L-vocalises"]
    looks = next(event for event in saved if event[0] == "L-looks")
    assert looks[2] - looks[1] == pytest.approx(1.0, abs=0.05)

    # A mark on the timeline jumps to its moment.
    page.get_by_role("button", name=re.compile(r"^Learner smiles or laughs at")).click()
    page.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:00.1')")

    # Share with a mentor.
    priya = page.locator("#share-member option", has_text="Priya").get_attribute("value")
    page.select_option("#share-member", value=priya)
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Shared with Priya"))).to_be_visible()
    video_url = page.url.split("#")[0]

    mentor = new_tablet()
    log_in(mentor, base, "priya@oakfield.example")
    mentor.get_by_role("link", name="Videos", exact=True).click()
    mentor.locator(f"a[href='{video_url.removeprefix(base)}']").first.click()
    player_ready(mentor)
    mentor.get_by_role("heading", name="Notes and comments").click()
    for _ in range(50):
        mentor.keyboard.press(".")
    mentor.wait_for_function(f"() => document.querySelector('{SHOWN_TIME}').textContent.startsWith('0:02.0')")
    mentor.fill("#comment-text", "Lovely waiting here: you let the smile come.")
    mentor.get_by_role("button", name="Add note at this moment").click()
    comment = mentor.locator(".comment").filter(has_text="Lovely waiting here")
    expect(comment.get_by_role("button", name=re.compile(r"Jump to 0:02"))).to_be_visible()

    note = VideoComment.objects.get()
    assert note.author.user.email == "priya@oakfield.example" and 1.95 <= note.time <= 2.05
    page.reload()
    assert page.get_by_text("Lovely waiting here: you let the smile come.").is_visible()
    assert page.locator("#timeline .timeline-mark.note").count() == 1


def test_draw_each_person_s_box_and_measure_again(tablet, new_tablet, live_server, queued_work):
    from attunement.interaction.demo_video import seed_demo_video
    from attunement.interaction.models import VideoAnalysis

    page, base = tablet, live_server.url
    video = seed_demo_video()
    queued_work.run()
    assert VideoAnalysis.objects.filter(video=video, status="done").count() == 1  # measured once it could play
    name = video.session.learner.display_name
    progress_url = f"{base}/learners/{video.session.learner_id}/progress/"

    def trend_rows(on_page):
        on_page.goto(progress_url)
        trend = on_page.locator("#interaction-heading").locator("xpath=..")
        return trend.locator("tbody tr").all()  # the demo's two films, the partner following in the latest

    log_in(page, base, "sam@oakfield.example")
    earlier, latest = trend_rows(page)
    assert "Yes" in latest.inner_text() and name in latest.inner_text()
    assert "Yes" not in earlier.inner_text()
    page.goto(f"{base}/reflection/videos/{video.pk}/")
    assert page.get_by_role("heading", name="Measured by the computer").is_visible()
    page.get_by_text("Measure again with other settings").click()
    picture = page.locator(".region-frame img")
    picture.wait_for()
    box = picture.bounding_box()

    def drag(x0, y0, x1, y1):
        page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y0)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * x1, box["y"] + box["height"] * y1, steps=5)
        page.mouse.up()

    drag(0.5, 0.1, 0.95, 0.9)  # the learner's box is drawn first by default: here on the right
    page.get_by_role("button", name="Draw the partner's box").click()
    drag(0.05, 0.1, 0.45, 0.9)
    learner_box = [int(v) for v in page.input_value("#learner-region").split(",")]
    partner_box = [int(v) for v in page.input_value("#partner-region").split(",")]
    assert 310 <= learner_box[0] <= 330 and 598 <= learner_box[0] + learner_box[2] <= 610  # a 640-wide picture
    assert 26 <= partner_box[0] <= 38 and partner_box[2] > 240
    assert page.locator(".region-box.box-partner").is_visible()

    page.get_by_role("button", name="Measure again").click()
    page.get_by_text("The video is being measured again").wait_for()
    assert queued_work.run() == ["video_analyse"]  # measured here, while the page polls for it
    page.get_by_role("link", name="Open run 2").wait_for()  # the page reloaded itself once it was done
    first, trial = VideoAnalysis.objects.filter(video=video).order_by("pk")
    assert trial.learner_region == ",".join(map(str, learner_box)) and trial.status == "done"
    # The trial is kept and listed, but the figures that count are still the first run's.
    runs = page.locator("ul.runs li")
    assert runs.count() == 2
    assert "Run 2 — Trial — boxes drawn by hand" in runs.nth(1).inner_text()
    assert page.get_by_text("These figures count for this video: run 1").is_visible()
    assert page.get_by_role("button", name="Use this run").count() == 0  # a practitioner does not choose
    runs.nth(1).get_by_role("link", name="Open run 2").click()
    page.get_by_text("A trial: these figures do not count.").wait_for()
    assert page.get_by_text("with boxes drawn by hand").count() == 1
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    earlier, latest = trend_rows(page)
    assert name in latest.inner_text() and "The partner" not in latest.inner_text()

    # The co-ordinator reviews the runs and chooses the trial: the trend now uses it.
    reviewer = new_tablet()
    log_in(reviewer, base, "priya@oakfield.example")
    reviewer.goto(f"{base}/reflection/videos/{video.pk}/?run={trial.pk}#analysis")
    reviewer.locator("#run-shown").get_by_role("button", name="Use this run").click()
    reviewer.get_by_text("This run now counts").wait_for()
    assert reviewer.get_by_text("These figures count for this video: run 2").is_visible()
    earlier, latest = trend_rows(reviewer)
    assert "The partner" in latest.inner_text() and "Yes" in latest.inner_text()
