"""Videos for the demo: two of Sam's sessions with one person filmed (made-up films of two figures and two
voices stand in for real film: see demo_film), both measured, so the person's progress page has a trend: in
the earlier one the partner moves on their own; in the latest the partner follows the person's lead. The
latest is coded, shared with Priya as mentor, with her comment, Sam's reply and a few ratings. Loaded by
`manage.py seed_demo`, not by the tests' demo, which do not need it."""

import tempfile
from pathlib import Path

from attunement.codings.services import event_code
from attunement.learners.models import Learner
from attunement.organisations.models import Membership
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows
from attunement.reflection import video_services as services
from attunement.reflection.demo_film import write_demo_film
from attunement.reflection.models import RatingScheme, SessionVideo
from attunement.reflection.tasks import clip_file_make, video_proxy_make

from .models import AnalysisStatus
from .tasks import video_analyse

FILMED_BY = "sam@oakfield.example"
MENTOR = "priya@oakfield.example"
SECONDS = 60.0
EARLIER_SECONDS = 40.0


def _film(sam: Membership, session, *, seconds: float, follow_s: float | None, seed: int) -> SessionVideo:
    """A made-up film of the session, uploaded, made playable and measured at once, so the demo works before
    the task worker has started."""
    with tempfile.TemporaryDirectory() as folder:
        film = write_demo_film(Path(folder) / "session.mp4", seconds=seconds, follow_s=follow_s, seed=seed)
        video = services.video_upload(
            actor=sam, session=session, path=str(film), size=film.stat().st_size, original_name="Session film.mp4"
        )
    video_proxy_make.call(video.pk)
    for analysis in video.analyses.filter(status=AnalysisStatus.QUEUED):
        video_analyse.call(analysis.pk)
    return video


def seed_demo_video() -> SessionVideo | None:
    sam = Membership.objects.filter(user__email=FILMED_BY).first()
    priya = Membership.objects.filter(user__email=MENTOR).first()
    if sam is None or priya is None:
        return None
    learner = next(
        (
            person
            for person in Learner.objects.filter(assignments__user=sam.user).order_by("pk")
            if consent_allows(person, Purpose.VIDEO) and person.sessions.exists()
        ),
        None,
    )
    if learner is None:
        return None
    sessions = list(learner.sessions.order_by("-started_at")[:12])
    if len(sessions) > 1:
        _film(sam, sessions[-1], seconds=EARLIER_SECONDS, follow_s=None, seed=12)
    video = _film(sam, sessions[0], seconds=SECONDS, follow_s=0.8, seed=5)
    for code, time, end in (
        ("L-looks", 2.0, 6.5),
        ("L-smiles", 4.2, None),
        ("P-vocalises", 5.0, None),
        ("L-vocalises", 6.1, None),
        ("P-imitates", 7.0, None),
        ("L-initiates", 12.4, None),
        ("L-turns-away", 21.0, None),
        ("L-looks", 26.0, 31.0),
        ("L-smiles", 28.3, None),
    ):
        event_code(actor=sam, video=video, code_key=code, time=time, end=end)
    services.video_share(actor=sam, video=video, member=priya)
    note = services.comment_add(actor=sam, video=video, time=12.4, text="Here they start it themselves!")
    comment = services.comment_add(
        actor=priya,
        video=video,
        time=19.5,
        text="You filled the pause quite quickly here. What might have happened if you had waited?",
    )
    services.comment_add(actor=sam, video=video, time=0, text="I think they were about to turn away.", reply_to=comment)
    services.comment_add(actor=priya, video=video, time=0, text="Lovely. Their idea, and you followed.", reply_to=note)
    for start, values in ((0.0, (3, 3, 2, 3)), (30.0, (2, 2, 2, 2))):
        for item, value in zip(("gaze", "orientation", "proximity", "tone"), values, strict=True):
            services.rating_set(
                actor=sam,
                video=video,
                interval=30.0,
                rating=services.RatingInput(scheme=RatingScheme.ZEEDYK, item=item, start=start, value=value),
            )
    if consent_allows(learner, Purpose.TRAINING):
        clip = services.clip_add(
            actor=sam,
            video=video,
            start=10.0,
            end=16.0,
            title="Waiting, then following their lead",
            teaching_point="The partner waits; the learner starts the exchange and the partner joins in.",
        )
        clip_file_make.call(clip.pk)
    video.refresh_from_db()
    return video
