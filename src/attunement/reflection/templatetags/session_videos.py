"""The videos box on a session's page, drawn by the reflection app so the practice app need not know it."""

from django import template

from attunement.learners.policies import learner_policy
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows

from ..interaction import headline, latest_done
from ..video_selectors import videos_of_session

register = template.Library()


@register.inclusion_tag("reflection/_session_videos.html", takes_context=True)
def session_videos(context, session):
    actor = context["request"].membership
    learner = session.learner
    videos = list(videos_of_session(actor=actor, session=session))
    measured = []
    for video in videos:
        done = latest_done(video)
        if done is not None:
            measured.append((video, headline(done)))
    return {
        "session": session,
        "learner": learner,
        "videos": videos,
        "measured": measured,
        "may_add": learner_policy.allows(actor, "record_session", learner),
        "consented": consent_allows(learner, Purpose.VIDEO),
    }
