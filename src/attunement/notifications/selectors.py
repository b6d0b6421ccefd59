"""What needs each member now, worked out from the records of the other apps through their own selectors and
policies, so a member is told only of what the pages would show them.

Each `Item` has two wordings: `text` for the pages (behind sign-in) and `mailed` for the daily e-mail, which
names the person by their first name and the kind of thing waiting, and nothing more: no note's words, no
consent's purpose, no health detail.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from attunement.learners.naming import ShownNames
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import learners_visible_to
from attunement.means.policies import agreed_action_policy
from attunement.means.selectors import my_training
from attunement.organisations.models import Membership, Role
from attunement.practice.models import HomeObservation
from attunement.practice.selectors import current_scale, reviews_of, sessions_visible_to
from attunement.privacy.consent_rules import Status
from attunement.privacy.selectors import consent_allows, first_consent_alerts
from attunement.reflection.models import VideoComment, VideoShare
from attunement.reflection.video_selectors import videos_visible_to

from .models import DEFAULT_CHANNEL, Channel, DigestSent, Kind
from .policies import notification_policy

# Things that happened (a note from home, a share, a reply, a new session) are news for this many days.
NEW_FOR_DAYS = 14
# An agreed action is mentioned from this many days before its date.
ACTION_DUE_SOON_DAYS = 7
# What a daily e-mail told is remembered this long, so it is not told again.
DIGEST_MEMORY_DAYS = 120

OVERDUE, DUE, NEW = 0, 1, 2  # most urgent first


@dataclass(frozen=True)
class Item:
    kind: str
    key: str  # the same thing in the same state has the same key: the daily e-mail tells each key once
    urgency: int
    when: date
    text: str
    mailed: str
    url: str

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def order(self):
        # Overdue and due things oldest first; news newest first.
        return (self.urgency, self.when.toordinal() if self.urgency != NEW else -self.when.toordinal(), self.key)


def _since(today: date) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=NEW_FOR_DAYS), time.min))


def _name(learner) -> str:
    return f"{learner.display_name} {learner.last_name}".strip()


def _member_name(membership) -> str:
    if membership is None:
        return "Someone"
    return membership.user.short_name


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def preferences_of(actor: Membership) -> dict[str, str]:
    """Each kind that can concern the member, with how they chose to be told of it (the default if never chosen)."""
    chosen = dict(notification_policy.scope(actor).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in notification_policy.kinds_for(actor)}


def items_for(
    actor: Membership, *, today: date | None = None, channels=(Channel.APP, Channel.EMAIL), limit: int | None = None
) -> list[Item]:
    """Everything that needs the member now, of the kinds they chose to hear of on one of `channels`, most urgent
    first. With `limit`, at most that many, each kind read only that far (a co-ordinator's home page in a large
    organisation does not read every consent alert to show five lines)."""
    today = today or timezone.localdate()
    wanted = [kind for kind, channel in preferences_of(actor).items() if channel in channels]
    names = ShownNames(actor)  # in the e-mail, a first name told apart from another person's where they clash
    found: list[Item] = []
    for kind in wanted:
        found.extend(_FINDERS[kind](actor, today, limit, names))
    return sorted(found, key=lambda item: item.order)[:limit]


def _agreed_actions(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    actions = (
        agreed_action_policy.scope(actor)
        .filter(owner=actor, done_on__isnull=True, due_on__isnull=False)
        .filter(due_on__lte=today + timedelta(days=ACTION_DUE_SOON_DAYS))
        .order_by("due_on", "pk")[:limit]
    )
    url = reverse("means:supervision")
    found = []
    for action in actions:
        overdue = action.due_on < today
        found.append(
            Item(
                kind=Kind.ACTIONS,
                key=f"action:{action.pk}:{'overdue' if overdue else 'due'}:{action.due_on}",
                urgency=OVERDUE if overdue else DUE,
                when=action.due_on,
                text=(f"Overdue since {_day(action.due_on)}" if overdue else f"Due by {_day(action.due_on)}")
                + f": {action.text}",
                mailed="An action you agreed is overdue."
                if overdue
                else f"An action you agreed is due by {_day(action.due_on)}.",
                url=url,
            )
        )
    return found


def _consents(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    alerts = first_consent_alerts(actor=actor, on=today, shown=limit)
    found = []
    for status, key, urgency in ((Status.EXPIRED, "expired", OVERDUE), (Status.REVIEW_DUE, "review_due", DUE)):
        for alert in alerts[key]:
            if not alert.consents:
                continue
            learner = alert.learner
            purposes = ", ".join(consent.get_purpose_display().lower() for consent in alert.consents)
            ids = ",".join(str(consent.pk) for consent in alert.consents)
            expired = status == Status.EXPIRED
            found.append(
                Item(
                    kind=Kind.CONSENT,
                    key=f"consent:{key}:{ids}",
                    urgency=urgency,
                    when=min(consent.review_on for consent in alert.consents),
                    text=f"{_name(learner)}: consent {'expired' if expired else 'due for review'} ({purposes})",
                    mailed=f"{names.name(learner)}: a consent {'has expired' if expired else 'is due for review'}.",
                    url=reverse("privacy:consents", kwargs={"learner_id": learner.pk}),
                )
            )
    return found


def _videos_shared(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    shares = VideoShare.objects.filter(member=actor, created_at__gte=_since(today)).exclude(shared_by=actor)
    if not shares.exists():  # the usual answer, found without building the visibility query
        return []
    shares = (
        shares.filter(video__in=videos_visible_to(actor))
        .select_related("video__session__learner", "shared_by__user")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Item(
            kind=Kind.VIDEO_SHARED,
            key=f"share:{share.pk}",
            urgency=NEW,
            when=timezone.localdate(share.created_at),
            text=f"{_member_name(share.shared_by)} shared a video of a session with "
            f"{_name(share.video.session.learner)} with you",
            mailed=f"A video of a session with {names.name(share.video.session.learner)} was shared with you.",
            url=reverse("reflection:video", kwargs={"video_id": share.video_id}),
        )
        for share in shares
    ]


def _video_replies(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    replies = VideoComment.objects.filter(reply_to__author=actor, created_at__gte=_since(today)).exclude(author=actor)
    if not replies.exists():
        return []
    replies = (
        replies.filter(video__in=videos_visible_to(actor))
        .select_related("video__session__learner", "author__user")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Item(
            kind=Kind.VIDEO_REPLY,
            key=f"reply:{reply.pk}",
            urgency=NEW,
            when=timezone.localdate(reply.created_at),
            text=f"{_member_name(reply.author)} replied to your note on a video of "
            f"{_name(reply.video.session.learner)}",
            mailed=f"Someone replied to your note on a video of {names.name(reply.video.session.learner)}.",
            url=reverse("reflection:video", kwargs={"video_id": reply.video_id}),
        )
        for reply in replies
    ]


def _home_notes(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    if not learner_policy.role_may(actor, "view_records"):
        return []
    notes = (
        HomeObservation.objects.filter(learner__in=learners_visible_to(actor), created_at__gte=_since(today))
        .exclude(author_id=actor.user_id)
        .select_related("learner")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Item(
            kind=Kind.HOME_NOTES,
            key=f"home_note:{note.pk}",
            urgency=NEW,
            when=timezone.localdate(note.created_at),
            text=f"A note from home about {_name(note.learner)} (noticed {_day(note.observed_on)})",
            mailed=f"A note from home about {names.name(note.learner)}.",
            url=reverse("learners:about", kwargs={"learner_id": note.learner_id}),
        )
        for note in notes
    ]


def _training(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    url = reverse("means:training")
    found = []
    for row in my_training(actor=actor, today=today):
        course = row["course"]
        if row["state"] == "needed":
            text = f"Training you still need: {course.name}"
            urgency, when = DUE, today
        elif row["state"] == "overdue":
            text = f"Training to do again: {course.name}, due on {_day(row['due_on'])}"
            urgency, when = OVERDUE, row["due_on"]
        elif row["state"] == "due_soon":
            text = f"Training to do again soon: {course.name}, due by {_day(row['due_on'])}"
            urgency, when = DUE, row["due_on"]
        else:
            continue
        key = f"training:{course.pk}:{row['state']}:{row['due_on']}"
        found.append(Item(Kind.TRAINING, key, urgency, when, text, f"{text}.", url))
    return found


def _family_news(actor: Membership, today: date, limit: int | None, names: ShownNames) -> list[Item]:
    """For a family member: new sessions and a new progress review about their own person, only when the person
    (or whoever decides for them) agreed to share records with the family, as the family's own page does."""
    if actor.role != Role.FAMILY:
        return []
    since = _since(today)
    found = []
    for learner in learners_visible_to(actor).filter(is_active=True):
        if not consent_allows(learner, "family", on=today):
            continue
        # Time spent together lately and written up lately: a session entered weeks after it happened is not news.
        sessions = sessions_visible_to(actor).filter(learner=learner, created_at__gte=since, started_at__gte=since)
        news = sessions.aggregate(last_pk=Max("pk"), latest=Max("created_at"))
        session_count = sessions.count()
        scale = current_scale(learner.organisation)
        review = (
            reviews_of(actor=actor, learner=learner).filter(scale=scale, created_at__gte=since).order_by("-pk").first()
            if scale
            else None
        )
        if not session_count and review is None:
            continue
        parts = []
        if session_count:
            parts.append(f"{session_count} new session{'s' if session_count != 1 else ''}")
        if review is not None:
            parts.append("a new progress review")
        latest = max(filter(None, [news["latest"], review.created_at if review else None]))
        found.append(
            Item(
                kind=Kind.FAMILY_NEWS,
                key=f"family:{learner.pk}:{news['last_pk'] or 0}:{review.pk if review else 0}",
                urgency=NEW,
                when=timezone.localdate(latest),
                text=f"{_name(learner)}: {' and '.join(parts)}",
                mailed=f"{names.name(learner)}: {' and '.join(parts)} to read.",
                url=reverse("practice:family_person", kwargs={"learner_id": learner.pk}),
            )
        )
    return found


_FINDERS = {
    Kind.ACTIONS: _agreed_actions,
    Kind.CONSENT: _consents,
    Kind.VIDEO_SHARED: _videos_shared,
    Kind.VIDEO_REPLY: _video_replies,
    Kind.HOME_NOTES: _home_notes,
    Kind.TRAINING: _training,
    Kind.FAMILY_NEWS: _family_news,
}


def keys_already_mailed(membership: Membership, *, today: date) -> set[str]:
    """What the member's daily e-mails have already told, over the remembered days."""
    since = today - timedelta(days=DIGEST_MEMORY_DAYS)
    told: set[str] = set()
    for keys in DigestSent.objects.filter(membership=membership, day__gte=since).values_list("keys", flat=True):
        told.update(keys)
    return told


def members_to_mail() -> QuerySet[Membership]:
    """Every active member with an e-mail address who could be told anything; each one's own choices then decide.
    For the scheduled run only, which works across every organisation."""
    return (
        Membership.objects.filter(is_active=True, user__is_active=True, role__in=notification_policy.actions["view"])
        .exclude(user__email="")
        .select_related("user", "organisation")
        .order_by("pk")
    )


def member_named_by(membership_id: int | None) -> Membership | None:
    """The member an unsubscribe link names. No scope: the link's signature, checked before this, is the proof."""
    if membership_id is None:
        return None
    return Membership.objects.filter(pk=membership_id).select_related("user", "organisation").first()
