"""Every read of videos and what is attached to them, scoped to the acting member and to consent."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from attunement.learners.models import Learner
from attunement.organisations.models import Membership
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.models import ProgressScale, Session
from attunement.practice.selectors import sessions_visible_to
from attunement.privacy.consent_sql import consent_in_force
from attunement.privacy.models import Purpose

from .models import (
    Clip,
    RatingScheme,
    SessionVideo,
    VideoComment,
    VideoRating,
    VideoShare,
)
from .policies import video_policy
from .ratings import ZEEDYK, interval_starts


def session_get(*, actor: Membership, learner: Learner, session_id: int) -> Session:
    """The session of this person, if the member may see it (Session.DoesNotExist otherwise)."""
    return sessions_visible_to(actor).select_related("learner").get(pk=session_id, learner=learner)


def videos_visible_to(actor: Membership) -> QuerySet[SessionVideo]:
    """The videos the member may watch now: in their scope, which holds consent to video."""
    return video_policy.scope(actor).select_related("session__learner", "uploaded_by__user")


def video_get(*, actor: Membership, video_id: int) -> SessionVideo:
    return videos_visible_to(actor).get(pk=video_id)


def videos_of_session(*, actor: Membership, session: Session) -> QuerySet[SessionVideo]:
    return videos_visible_to(actor).filter(session=session)


@dataclass
class VideoLists:
    mine: list[SessionVideo]
    shared_with_me: list[SessionVideo]
    team: list[SessionVideo]


def video_lists(actor: Membership) -> VideoLists:
    """The member's own videos, the ones shared with them, and the ones shared with the whole team."""
    visible = list(
        videos_visible_to(actor)
        .annotate(shared_with_actor=Exists(VideoShare.objects.filter(video=OuterRef("pk"), member=actor)))
        .filter(Q(uploaded_by=actor) | Q(shared_with_actor=True) | Q(shared_with_team=True))
        .order_by("-created_at", "-pk")[:200]
    )
    return VideoLists(
        mine=[v for v in visible if v.uploaded_by_id == actor.pk],
        shared_with_me=[v for v in visible if v.shared_with_actor and v.uploaded_by_id != actor.pk],
        team=[v for v in visible if v.shared_with_team and v.uploaded_by_id != actor.pk and not v.shared_with_actor],
    )


def share_candidates(actor: Membership, video: SessionVideo) -> QuerySet[Membership]:
    """Members of staff the video could be shared with: active staff of the organisation not yet sharing it."""
    return (
        Membership.objects.filter(organisation_id=actor.organisation_id, role__in=STAFF_ROLES, is_active=True)
        .exclude(pk=actor.pk)
        .exclude(pk=video.uploaded_by_id)
        .exclude(pk__in=video.shares.values("member_id"))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def comment_threads(video: SessionVideo) -> list[VideoComment]:
    """Top-level comments in time order, each with `.thread_replies` in the order they were written."""
    replies = VideoComment.objects.select_related("author__user").order_by("created_at", "pk")
    return list(
        video.comments.filter(reply_to__isnull=True)
        .select_related("author__user", "agreed_action__owner__user")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
    )


def comment_get(*, video: SessionVideo, comment_id: int) -> VideoComment:
    return video.comments.select_related("video__session__learner").get(pk=comment_id)


def rating_scales(actor: Membership) -> QuerySet[ProgressScale]:
    return ProgressScale.objects.filter(organisation_id=actor.organisation_id).prefetch_related("levels")


@dataclass
class RatingRow:
    start: float
    end: float
    values: dict[str, int | None] = field(default_factory=dict)


@dataclass
class RatingSheet:
    """One rater's ratings of a video on one scheme: a row per interval, a column per item."""

    scheme: str
    scale: ProgressScale | None
    interval: float
    items: list[tuple[str, str, list[str], list[str]]]  # key, name, short and full labels of the points from 1
    rows: list[RatingRow]

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows for value in row.values.values() if value is not None)

    def means(self) -> dict[str, float | None]:
        result = {}
        for key, *_ in self.items:
            values = [row.values[key] for row in self.rows if row.values.get(key) is not None]
            result[key] = sum(values) / len(values) if values else None
        return result


def rating_sheet(
    *, rater: Membership, video: SessionVideo, scheme: str, interval: float, scale: ProgressScale | None = None
) -> RatingSheet:
    if scheme == RatingScheme.ZEEDYK:
        items = [(item.key, item.name, list(item.short), list(item.points)) for item in ZEEDYK]
    else:
        labels = [level.label for level in scale.levels.all()]
        items = [("level", "Level", labels, labels)]
    saved = VideoRating.objects.filter(video=video, rater=rater, scheme=scheme, scale=scale)
    by_key = {(r.start, r.item): r.value for r in saved if abs(r.interval - interval) < 1e-6}
    rows = [
        RatingRow(
            start=start,
            end=min(start + interval, video.duration),
            values={key: by_key.get((start, key)) for key, *_ in items},
        )
        for start in interval_starts(video.duration, interval)
    ]
    return RatingSheet(scheme=scheme, scale=scale, interval=interval, items=items, rows=rows)


@dataclass
class SharedRatings:
    """Everyone's ratings of a video on one scheme, side by side, so raters can compare and moderate."""

    raters: list[str]
    rows: list[tuple[RatingRow, dict[str, list[tuple[str, int]]]]]  # the interval, item → [(rater, value)]
    matching: int  # ratings by two or more people that all agree
    compared: int  # ratings given by two or more people


def shared_ratings(sheet: RatingSheet, video: SessionVideo) -> SharedRatings:
    saved = (
        VideoRating.objects.filter(video=video, scheme=sheet.scheme, scale=sheet.scale)
        .select_related("rater__user")
        .order_by("rater__user__first_name", "rater_id")
    )
    cells: dict[tuple[float, str], list[tuple[str, int]]] = {}
    raters: dict[int, str] = {}
    for rating in saved:
        if abs(rating.interval - sheet.interval) > 1e-6:
            continue
        name = rating.rater.user.get_full_name() or rating.rater.user.email
        raters[rating.rater_id] = name
        cells.setdefault((rating.start, rating.item), []).append((name, rating.value))
    rows = [(row, {key: cells.get((row.start, key), []) for key, *_ in sheet.items}) for row in sheet.rows]
    several = [given for given in cells.values() if len(given) > 1]
    matching = sum(1 for given in several if len({value for _, value in given}) == 1)
    return SharedRatings(raters=list(raters.values()), rows=rows, matching=matching, compared=len(several))


def library_clips(actor: Membership) -> QuerySet[Clip]:
    """The organisation's library of good practice, for every member of staff: clips whose person's consent
    covers both video and sharing clips for training."""
    if not actor.is_active or actor.role not in STAFF_ROLES:
        return Clip.objects.none()
    return Clip.objects.filter(
        consent_in_force(Purpose.VIDEO, learner="video__session__learner"),
        consent_in_force(Purpose.TRAINING, learner="video__session__learner"),
        video__session__learner__organisation_id=actor.organisation_id,
        video__session__withdrawn_at__isnull=True,
    ).select_related("video__session__learner", "added_by__user")


def clip_get(*, actor: Membership, clip_id: int) -> Clip:
    return library_clips(actor).get(pk=clip_id)


def rating_sheets(actor: Membership, video: SessionVideo, scales, interval: float) -> list[RatingSheet]:
    """The player's rating sheets: the engagement scale when the organisation uses it, and the four 3-point
    ratings, each with everyone's shared ratings beside the member's own."""
    sheets = [
        rating_sheet(rater=actor, video=video, scheme=RatingScheme.SCALE, interval=interval, scale=scale)
        for scale in scales
        if scale.preset == "engagement_7"
    ]
    sheets.append(rating_sheet(rater=actor, video=video, scheme=RatingScheme.ZEEDYK, interval=interval))
    for sheet in sheets:
        sheet.everyone = shared_ratings(sheet, video)
    return sheets


def rating_scale_get(*, actor: Membership, scale_id) -> ProgressScale | None:
    """One of the actor's organisation's progress scales, without its levels, or None."""
    return ProgressScale.objects.filter(organisation_id=actor.organisation_id, pk=scale_id).first()


def share_member(*, actor: Membership, member_id) -> Membership | None:
    """The member of the actor's organisation a video is to be shared with, or None. Any role and any state:
    the service says in words why a family member or someone who has left cannot be given it."""
    return Membership.objects.filter(organisation_id=actor.organisation_id, pk=member_id).first()


def share_get(*, video: SessionVideo, share_id) -> VideoShare | None:
    """One share of `video` (already fetched through the scope), or None."""
    return VideoShare.objects.filter(video=video, pk=share_id).first()
