from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet

from attunement.catalogue.rules import same_name_key
from attunement.organisations.models import Membership
from attunement.organisations.selectors import staff_of

from .importing import GroupHeld, Holding, PersonHeld
from .models import Assignment, Group, Learner
from .policies import group_policy, learner_policy


def learners_visible_to(actor: Membership | None) -> QuerySet[Learner]:
    if actor is None:
        return Learner.objects.none()
    return learner_policy.scope(actor)


class ListedPerson(NamedTuple):
    """One card of the people list: only what the card shows, read without building the whole record."""

    pk: int
    first_name: str
    last_name: str
    preferred_name: str
    photo: str
    is_active: bool
    left_on: date | None
    site: str | None

    # The same rules as the record's, not a copy of them.
    display_name = Learner.display_name
    initials = Learner.initials


@dataclass(frozen=True)
class PeoplePage:
    """One page of the people list, in name order. How many pages there are is not counted: that would read
    everyone the reader can see on every page."""

    people: list[ListedPerson]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


LISTED = ("pk", "first_name", "last_name", "preferred_name", "photo", "is_active", "left_on", "site__name")


def learner_list(
    *,
    actor: Membership,
    search: str = "",
    include_inactive: bool = False,
    group_id: int | None = None,
    page: int = 1,
    per_page: int = 60,
    site_id: int | None = None,
) -> PeoplePage:
    """A page of the people the actor can see, by first name then surname. Only the page is read (and one more,
    to know whether there is a next page): the database walks the index on (organisation, is_active,
    first_name) in order, so a page costs the same however many people the organisation has."""
    learners = learners_visible_to(actor)
    if not include_inactive:
        # `is_active IN (true)`, not `WHERE is_active`: SQLite only uses the index's is_active column (and so its
        # order of first names) for a comparison; PostgreSQL reads both the same.
        learners = learners.filter(is_active__in=[True])
    if site_id is not None:
        learners = learners.filter(site_id=site_id)
    if group_id is not None:
        learners = learners.filter(group_id=group_id)
    if search:
        learners = learners.filter(
            Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(preferred_name__icontains=search)
        )
    start = (max(page, 1) - 1) * per_page
    rows = list(learners.order_by("first_name", "last_name", "pk").values_list(*LISTED)[start : start + per_page + 1])
    return PeoplePage(
        people=[ListedPerson(*row) for row in rows[:per_page]], number=max(page, 1), has_next=len(rows) > per_page
    )


def learner_get(*, actor: Membership, learner_id: int) -> Learner:
    """The learner if the actor may see them; raises Learner.DoesNotExist otherwise (shown as 404)."""
    return learners_visible_to(actor).select_related("organisation", "site", "group").get(pk=learner_id)


def assignments_of(*, learner: Learner) -> list[dict]:
    """Everyone linked to a person, with their role and whether their access is current, ended or not yet begun."""
    from django.utils import timezone

    today = timezone.localdate()
    roles = dict(Membership.objects.filter(organisation_id=learner.organisation_id).values_list("user_id", "role"))
    rows = []
    for assignment in learner.assignments.select_related("user").order_by("user__first_name", "user__last_name"):
        if assignment.ends_on and assignment.ends_on < today:
            state = "ended"
        elif assignment.starts_on and assignment.starts_on > today:
            state = "not yet"
        else:
            state = "current"
        rows.append({"assignment": assignment, "role": roles.get(assignment.user_id, ""), "state": state})
    return rows


def groups_of(*, actor: Membership, include_retired: bool = False) -> list[Group]:
    """The organisation's classes and groups, in their order, each with how many current people are in it."""
    groups = group_policy.scope(actor).select_related("site")
    if not include_retired:
        groups = groups.filter(retired_at__isnull=True)
    return list(
        groups.annotate(people=Count("learners", filter=Q(learners__is_active=True))).order_by("position", "pk")
    )


def group_get(*, actor: Membership, group_id: int) -> Group:
    """The class or group if it is the actor's organisation's; raises Group.DoesNotExist otherwise."""
    return group_policy.scope(actor).get(pk=group_id)


def import_holding(*, actor: Membership) -> Holding:
    """What a spreadsheet import is matched against: everyone in the actor's organisation (the import is for
    roles that see the whole organisation), its classes and groups, and the members who can be linked, by e-mail."""
    people = learners_visible_to(actor).order_by("pk")
    links: dict[int, set[int]] = {}
    for learner_id, user_id in Assignment.objects.filter(learner__in=people).values_list("learner_id", "user_id"):
        links.setdefault(learner_id, set()).add(user_id)
    held = [
        PersonHeld(
            pk=pk,
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            date_of_birth=born,
            identifier=identifier,
            group_id=group_id,
            needs=list(needs or []),
            staff=links.get(pk, set()),
        )
        for pk, first, last, preferred, born, identifier, group_id, needs in people.values_list(
            "pk", "first_name", "last_name", "preferred_name", "date_of_birth", "identifier", "group_id", "needs"
        )
    ]
    groups = {
        same_name_key(name): GroupHeld(pk=pk, name=name, retired=retired_at is not None)
        for pk, name, retired_at in Group.objects.filter(organisation_id=actor.organisation_id).values_list(
            "pk", "name", "retired_at"
        )
    }
    staff = {}
    for user in staff_of(actor.organisation):
        staff[user.email.lower()] = (user.pk, str(user))
    return Holding(people=held, groups=groups, staff=staff)
