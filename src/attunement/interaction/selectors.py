"""Reads about videos together with their measurements."""

from dataclasses import dataclass

from attunement.analysis.result import Headline
from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership
from attunement.practice.models import Session
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows
from attunement.reflection.models import SessionVideo
from attunement.reflection.video_selectors import videos_of_session

from .analyses import counting_runs, headline
from .models import VideoAnalysis


@dataclass(frozen=True)
class SessionVideos:
    """The videos box on a session's page: its videos, the figures of each measured one (None for a run this
    version cannot read), whether the member may add one and whether consent lets anyone."""

    videos: list[SessionVideo]
    measured: list[tuple[SessionVideo, Headline | None]]
    may_add: bool
    consented: bool


def session_videos(*, actor: Membership, session: Session) -> SessionVideos:
    """Two queries for the videos and their counting runs, however many videos the session has."""
    videos = videos_of_session(actor=actor, session=session)
    runs = counting_runs(videos)
    videos = list(videos)
    return SessionVideos(
        videos=videos,
        measured=[(video, headline(runs[video.pk])) for video in videos if video.pk in runs],
        may_add=learner_policy.allows(actor, "record_session", session.learner),
        consented=consent_allows(session.learner, Purpose.VIDEO),
    )


def analysis_get(*, video: SessionVideo, analysis_id) -> VideoAnalysis | None:
    """One measurement of `video` (already fetched through the scope), or None."""
    return VideoAnalysis.objects.filter(video=video, pk=analysis_id).first()
