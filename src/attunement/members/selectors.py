"""What the members page shows: everyone who is or was a member, and the invitations not yet used."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone

from attunement.learners.importing import name_key
from attunement.learners.models import Assignment, Learner
from attunement.organisations.models import Membership, Site

from .importing import InvitationHeld, MemberHeld, StaffHolding
from .models import Invitation, SingleSignOn
from .policies import member_policy


def members_of(*, actor: Membership) -> QuerySet[Membership]:
    """The organisation's members, current ones first, by name, each with how many of the organisation's people
    they are linked to now (`people`)."""
    today = timezone.localdate()
    current_link = (
        Q(user__assignments__learner__organisation_id=actor.organisation_id)
        & (Q(user__assignments__starts_on__isnull=True) | Q(user__assignments__starts_on__lte=today))
        & (Q(user__assignments__ends_on__isnull=True) | Q(user__assignments__ends_on__gte=today))
    )
    return (
        member_policy.scope(actor)
        .select_related("user", "site")
        .annotate(people=Count("user__assignments", filter=current_link))
        .order_by("-is_active", "user__first_name", "user__last_name", "user__email")
    )


def member_get(*, actor: Membership, membership_id: int) -> Membership:
    return member_policy.scope(actor).select_related("user", "site").get(pk=membership_id)


def linked_people(*, membership: Membership):
    """The people of the member's organisation they are linked to now or from a later day."""
    today = timezone.localdate()
    return membership.organisation.learners.filter(assignments__user_id=membership.user_id).exclude(
        assignments__ends_on__lt=today
    )


def invitations_of(*, actor: Membership) -> QuerySet[Invitation]:
    """Invitations not used yet (waiting, expired or withdrawn), newest first."""
    if not member_policy.role_may(actor, "view"):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(organisation_id=actor.organisation_id, accepted_at__isnull=True)
        .select_related("site", "invited_by")
        .order_by("-sent_at", "-pk")
    )


def invitation_get(*, actor: Membership, invitation_id: int) -> Invitation:
    return invitations_of(actor=actor).get(pk=invitation_id)


def sites_to_choose(*, actor: Membership) -> QuerySet[Site]:
    return Site.objects.filter(organisation_id=actor.organisation_id)


def people_to_link(*, actor: Membership) -> QuerySet[Learner]:
    """The organisation's current people, by name: who a member can be linked to."""
    return Learner.objects.filter(organisation_id=actor.organisation_id, is_active=True).order_by(
        "first_name", "last_name"
    )


def has_account(email: str) -> bool:
    """Whether someone can already sign in with this address (in any organisation)."""
    return get_user_model().objects.filter(email__iexact=email).exists()


def single_sign_on_of(*, actor: Membership):
    """The organisation's own sign-in, if it has one."""
    return SingleSignOn.objects.filter(organisation_id=actor.organisation_id).first()


def single_sign_on_by_key(key: str):
    """An organisation's sign-in that is switched on, by the key in its start address (for someone not signed in:
    it names only the organisation)."""
    return SingleSignOn.objects.select_related("organisation").filter(key=key, enabled=True).first()


def staff_import_holding(*, actor: Membership) -> StaffHolding:
    """What a staff import is matched against: the organisation's current members (with the people they work
    with now), its waiting invitations, its sites and its current people."""
    today = timezone.localdate()
    links: dict[int, set[int]] = {}
    current = Assignment.objects.filter(learner__organisation_id=actor.organisation_id).exclude(ends_on__lt=today)
    for user_id, learner_id in current.values_list("user_id", "learner_id"):
        links.setdefault(user_id, set()).add(learner_id)
    members = {
        email.lower(): MemberHeld(
            membership_pk=pk, role=role, site_id=site_id, people=links.get(user_id, set()), is_actor=pk == actor.pk
        )
        for pk, email, user_id, role, site_id in member_policy.scope(actor)
        .filter(is_active=True)
        .values_list("pk", "user__email", "user_id", "role", "site_id")
    }
    waiting = {}
    for invitation in invitations_of(actor=actor).prefetch_related("learners").order_by("sent_at"):
        if invitation.is_open:
            waiting[invitation.email] = InvitationHeld(
                pk=invitation.pk,
                sent_on=formats.date_format(timezone.localtime(invitation.sent_at), "j F Y"),
                role=invitation.role,
                site_id=invitation.site_id,
                people={person.pk for person in invitation.learners.all()},
            )
    sites = {name_key(name): (pk, name) for pk, name in sites_to_choose(actor=actor).values_list("pk", "name")}
    people = list(
        people_to_link(actor=actor).values_list("pk", "first_name", "preferred_name", "last_name", "identifier")
    )
    return StaffHolding(
        members=members,
        invitations=waiting,
        sites=sites,
        people=people,
        may_manage_administrators=member_policy.role_may(actor, "manage_administrators"),
    )
