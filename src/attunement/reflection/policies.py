"""Who may watch and work on a session's video (see VideoPolicy)."""

from django.db.models import Q, QuerySet

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership
from attunement.organisations.policies import ORGANISATION_WIDE_ROLES, STAFF_ROLES, Policy, roles_in_words
from attunement.privacy.consent_sql import consent_in_force
from attunement.privacy.models import Purpose

from .models import SessionVideo, VideoShare


class VideoPolicy(Policy):
    """Who may watch and work on a session's video.

    Staff who work with the person see its videos, as do the people it has been shared with (a mentor) and,
    when it is shared with the team, every member of staff. Nobody sees it while the person's consent to
    video is not in force. The uploader and the organisation's leaders manage it (share, keep clips, delete).
    Only leaders choose which measurement of it counts.
    """

    # Which of the video's measurements counts (on the session page and in the person's progress trend) is
    # the reviewer's choice: a co-ordinator, manager or administrator, never the person whose practice it is.
    actions = {
        "view": STAFF_ROLES,
        "comment": STAFF_ROLES,
        "rate": STAFF_ROLES,
        "manage": STAFF_ROLES,
        "choose_run": ORGANISATION_WIDE_ROLES,
    }
    action_words = {
        "view": "watch session videos",
        "comment": "comment on videos",
        "rate": "rate videos",
        "manage": "manage videos",
        "choose_run": "choose which measurement counts",
    }
    outside_scope = "You cannot see this video."

    def scope(self, actor: Membership) -> QuerySet[SessionVideo]:
        in_org = SessionVideo.objects.filter(
            session__learner__organisation_id=actor.organisation_id,
            session__withdrawn_at__isnull=True,  # a withdrawn session takes its videos with it
        )
        if not actor.is_active or actor.role not in STAFF_ROLES:
            return in_org.none()
        seen = learner_policy.scope(actor).values("pk")
        shared = VideoShare.objects.filter(member=actor).values("video_id")
        return in_org.filter(Q(session__learner__in=seen) | Q(pk__in=shared) | Q(shared_with_team=True)).filter(
            consent_in_force(Purpose.VIDEO, learner="session__learner")
        )

    def allows(self, actor, action, obj) -> bool:
        # Consent is part of the scope, which the base class checks: lists and detail pages answer alike.
        if not super().allows(actor, action, obj):
            return False
        if action == "manage":
            return obj.uploaded_by_id == actor.pk or actor.role in ORGANISATION_WIDE_ROLES
        return True

    def require_manage(self, actor: Membership | None, video: SessionVideo, doing: str) -> None:
        """Managing a video is for the person who added it and the organisation's leaders: the refusal says
        so, naming the leaders' roles from the rule ("Only the person who added the video, or … can delete it.")."""
        leaders = roles_in_words(ORGANISATION_WIDE_ROLES)
        self.require(actor, "manage", video, message=f"Only the person who added the video, or {leaders}, can {doing}.")

    def may_code(self, actor: Membership, video: SessionVideo) -> bool:
        """Coding adds a coding pass to the person's records, so it needs the person's "record_session"."""
        return self.allows(actor, "view", video) and learner_policy.allows(actor, "record_session", video.learner)


video_policy = VideoPolicy()
