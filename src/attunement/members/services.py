"""Bringing people in and letting them go: invite, send again, withdraw, accept, change, end access.

Every change is written to the audit trail. A member's records and authorship always stay: ending someone's
access ends their membership and their links to people, never what they wrote.
"""

import secrets
import smtplib
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone

from attunement.learners.importing import columns_problem
from attunement.learners.models import Assignment, Learner
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation, Role, Site

from . import importing, selectors
from .mail import send_invitation
from .models import Invitation, SingleSignOn, token_digest
from .policies import member_policy

# Turns an invitation's secret into the full address of its page, for the e-mail (the view knows the host).
LinkFor = Callable[[str], str]


class NotNow(ValidationError):
    """Refused because of the record's state rather than the input: the invitation was already used or withdrawn,
    the member's access has ended, the address is already a member or already invited. Pages show it as any
    other refusal; the API answers it with 409."""


class InvitationUnusable(Exception):
    """The link cannot be used (any more); the message says why, in plain words."""


def invitation_days() -> int:
    """How long an invitation's link works: INVITATION_DAYS, 7 unless set."""
    return int(getattr(settings, "INVITATION_DAYS", 7))


def _new_secret(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_digest = token_digest(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=invitation_days())
    return token


def _send(invitation: Invitation, token: str, link_for: LinkFor) -> None:
    """Send the link, or undo the whole change with a plain reason: an invitation nobody received is not kept."""
    try:
        send_invitation(invitation, link_for(token))
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(
            f"The e-mail to {invitation.email} could not be sent ({error.__class__.__name__}), so nothing was "
            "saved. Check the address, or try again later."
        ) from error


def _checked_people(actor: Membership, learners: Iterable[Learner]) -> list[Learner]:
    people = list(learners)
    if any(person.organisation_id != actor.organisation_id for person in people):
        raise ValidationError({"learners": "Choose only people of your organisation."})
    return people


def _checked_site(actor: Membership, site: Site | None) -> Site | None:
    if site is not None and site.organisation_id != actor.organisation_id:
        raise ValidationError({"site": "Choose one of your organisation's sites."})
    return site


def _require_people_for_family(role: str, people: list) -> None:
    if role == Role.FAMILY and not people:
        raise ValidationError(
            {"learners": "A family member sees only the people they are linked to: choose at least one."}
        )


@transaction.atomic
def invite(
    *,
    actor: Membership,
    email: str,
    role: str,
    link_for: LinkFor,
    site: Site | None = None,
    learners: Iterable[Learner] = (),
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Invite someone by e-mail to join the actor's organisation with a role, a site and the people they will work
    with. The e-mail holds a single-use link that expires after INVITATION_DAYS (7 unless set)."""
    member_policy.require(actor, "invite")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an e-mail address, like name@school.org.uk."}) from None
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    member_policy.require_role_choice(actor, role)
    site = _checked_site(actor, site)
    people = _checked_people(actor, learners)
    _require_people_for_family(role, people)
    organisation = actor.organisation
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email, is_active=True).exists():
        raise NotNow({"email": f"{email} is already a member of {organisation.name}."})
    waiting = waiting_invitation(organisation_id=organisation.pk, email=email)
    if waiting:
        sent = formats.date_format(timezone.localtime(waiting.sent_at), "j F Y")
        again = "To send the link again, use “Send again” on their invitation."
        raise NotNow({"email": f"{email} was already invited on {sent}. {again}"})
    invitation = Invitation(
        organisation=organisation,
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=role,
        site=site,
        invited_by_id=actor.user_id,
    )
    token = _new_secret(invitation)
    invitation.save()
    invitation.learners.set(people)
    audit_record(
        actor=actor,
        action="member.invited",
        target=invitation,
        detail={"email": email, "role": role, "site": getattr(site, "pk", None), "people": [p.pk for p in people]},
    )
    _send(invitation, token, link_for)
    return invitation


def _invitation_in_scope(actor: Membership, invitation: Invitation) -> None:
    if invitation.organisation_id != actor.organisation_id:
        raise ValidationError("That invitation is not one of your organisation's.")


@transaction.atomic
def send_again(*, actor: Membership, invitation: Invitation, link_for: LinkFor) -> Invitation:
    """A new link, valid for another INVITATION_DAYS; the last link stops working."""
    member_policy.require(actor, "invite")
    _invitation_in_scope(actor, invitation)
    member_policy.require_role_choice(actor, invitation.role)
    state = invitation.state()
    if state == Invitation.State.ACCEPTED:
        raise NotNow(f"{invitation.email} has already accepted this invitation.")
    if state == Invitation.State.WITHDRAWN:
        raise NotNow(f"The invitation of {invitation.email} was withdrawn. To bring them in, invite them again.")
    token = _new_secret(invitation)
    invitation.save(update_fields=["token_digest", "sent_at", "expires_at"])
    audit_record(
        actor=actor, action="member.invitation_sent_again", target=invitation, detail={"email": invitation.email}
    )
    _send(invitation, token, link_for)
    return invitation


@transaction.atomic
def withdraw(*, actor: Membership, invitation: Invitation) -> Invitation:
    """The link stops working at once."""
    member_policy.require(actor, "invite")
    _invitation_in_scope(actor, invitation)
    member_policy.require_role_choice(actor, invitation.role)
    if invitation.state() == Invitation.State.ACCEPTED:
        raise NotNow(f"{invitation.email} has already joined. To end their access, use “End access” on their line.")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=actor, action="member.invitation_withdrawn", target=invitation, detail={"email": invitation.email}
        )
    return invitation


UNUSABLE = {
    Invitation.State.ACCEPTED: "This invitation has already been used. If it was you, sign in with your e-mail "
    "address and password.",
    Invitation.State.EXPIRED: "This invitation has expired. Ask the person who invited you to send a new one.",
    Invitation.State.WITHDRAWN: "This invitation was withdrawn. If you think that is a mistake, ask the person who "
    "invited you.",
}
NOT_FOUND = (
    "This invitation link is not one we know. Check that you opened the whole link from the e-mail, or ask for a "
    "new one."
)


def waiting_invitation(*, organisation_id: int, email: str) -> Invitation | None:
    """The invitation still waiting for this address in this organisation, if there is one."""
    invitations = Invitation.objects.filter(
        organisation_id=organisation_id, email=(email or "").strip().lower(), accepted_at__isnull=True
    ).order_by("-sent_at")
    return next((invitation for invitation in invitations if invitation.is_open), None)


def invitation_for_update(invitation: Invitation) -> Invitation:
    """The invitation again, locked until the transaction ends, if it can still be used."""
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invitation.pk)
    state = locked.state()
    if state != Invitation.State.WAITING:
        raise InvitationUnusable(UNUSABLE[state])
    return locked


def invitation_for(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link's secret belongs to, if it can still be used; InvitationUnusable otherwise."""
    invitations = Invitation.objects.select_related("organisation", "invited_by", "site")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    try:
        invitation = invitations.get(token_digest=token_digest(token or ""))
    except Invitation.DoesNotExist:
        raise InvitationUnusable(NOT_FOUND) from None
    state = invitation.state()
    if state != Invitation.State.WAITING:
        raise InvitationUnusable(UNUSABLE[state])
    return invitation


@transaction.atomic
def accept(*, token: str, user=None, password: str = "", first_name: str = "", last_name: str = "") -> Membership:
    """Use an invitation: make the account (or use `user`, the signed-in account with the invited address), the
    membership with the invited role and site, and the links to the invited people. Works once."""
    invitation = invitation_for(token, for_update=True)
    User = get_user_model()
    if user is not None:
        if user.email.lower() != invitation.email:
            raise ValidationError(
                f"This invitation is for {invitation.email}, and you are signed in as {user.email}. "
                "Log out, then open the link again."
            )
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                f"There is already an account for {invitation.email}. Sign in with it, then open the link again."
            )
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=(first_name or invitation.first_name).strip(),
            last_name=(last_name or invitation.last_name).strip(),
        )
    return _join(invitation, user)


def _join(invitation: Invitation, user) -> Membership:
    """Make the invited membership for `user`, with the invited role, site and links to people, and mark the
    invitation used."""
    membership, _ = Membership.objects.update_or_create(
        user=user,
        organisation=invitation.organisation,
        defaults={"role": invitation.role, "site": invitation.site, "is_active": True, "ended_at": None},
    )
    people = list(invitation.learners.filter(organisation=invitation.organisation))
    for person in people:
        assignment, _ = Assignment.objects.update_or_create(
            learner=person, user=user, defaults={"starts_on": None, "ends_on": None}
        )
        audit_record(
            actor=membership,
            action="assignment.changed",
            learner=person,
            target=assignment,
            detail={"invitation": invitation.pk},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=membership,
        action="member.joined",
        target=membership,
        detail={"invitation": invitation.pk, "role": invitation.role},
    )
    return membership


@transaction.atomic
def join_by_single_sign_on(*, invitation: Invitation, first_name: str = "", last_name: str = "") -> Membership:
    """Use a waiting invitation for someone signing in through their organisation's own sign-in for the first
    time: their account has no password of its own (they sign in through the provider)."""
    invitation = invitation_for_update(invitation)
    User = get_user_model()
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(
            email=invitation.email,
            password=None,
            first_name=(first_name or invitation.first_name).strip(),
            last_name=(last_name or invitation.last_name).strip(),
        )
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return _join(invitation, user)


def _current_links(membership: Membership):
    """The member's links to people of this organisation that have not ended."""
    today = timezone.localdate()
    return Assignment.objects.filter(
        user_id=membership.user_id, learner__organisation_id=membership.organisation_id
    ).exclude(ends_on__lt=today)


def _end_links(actor: Membership, links) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    for link in links.select_related("learner"):
        link.ends_on = yesterday
        if link.starts_on and link.starts_on > yesterday:
            link.starts_on = yesterday
        link.save(update_fields=["starts_on", "ends_on"])
        audit_record(actor=actor, action="assignment.ended", learner=link.learner, target=link)


def _member_in_scope(actor: Membership, membership: Membership) -> None:
    if not member_policy.allows(actor, "change", membership):
        raise ValidationError(member_policy.outside_scope)


@transaction.atomic
def change(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    site: Site | None = None,
    learners: Iterable[Learner] | None = None,
) -> Membership:
    """Change a member's role, site and the people they work with (None: leave the people as they are). A person
    taken off their list is unlinked from today, dated, as a record of who had access when."""
    member_policy.require(actor, "change")
    _member_in_scope(actor, membership)
    member_policy.require_not_self(actor, membership, "change the role of")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    member_policy.require_role_choice(actor, role, membership.role)
    if not membership.is_active:
        raise NotNow("This member's access has ended. To bring them back, invite them again.")
    site = _checked_site(actor, site)
    before = {"role": membership.role, "site": membership.site_id}
    membership.role, membership.site = role, site
    membership.save(update_fields=["role", "site"])
    detail = {"before": before, "after": {"role": role, "site": getattr(site, "pk", None)}}
    if learners is not None:
        people = _checked_people(actor, learners)
        _require_people_for_family(role, people)
        wanted = {person.pk for person in people}
        links = _current_links(membership)
        had = set(links.values_list("learner_id", flat=True))
        _end_links(actor, links.filter(learner_id__in=had - wanted))
        for person in people:
            if person.pk not in had:
                assignment, _ = Assignment.objects.update_or_create(
                    learner=person, user_id=membership.user_id, defaults={"starts_on": None, "ends_on": None}
                )
                audit_record(actor=actor, action="assignment.changed", learner=person, target=assignment)
        detail["before"]["people"], detail["after"]["people"] = sorted(had), sorted(wanted)
    audit_record(actor=actor, action="member.changed", target=membership, detail=detail)
    return membership


@transaction.atomic
def end_access(*, actor: Membership, membership: Membership) -> Membership:
    """End a leaver's access at once: their membership and their links to people end now, their open invitations
    are withdrawn, and if they belong to no other organisation their account is switched off, which signs them
    out everywhere at their next request. What they recorded stays, under their name."""
    member_policy.require(actor, "end_access")
    _member_in_scope(actor, membership)
    member_policy.require_not_self(actor, membership, "end the access of")
    member_policy.require_role_choice(actor, membership.role)
    if not membership.is_active:
        return membership
    now = timezone.now()
    membership.is_active, membership.ended_at = False, now
    membership.save(update_fields=["is_active", "ended_at"])
    _end_links(actor, _current_links(membership))
    user = membership.user
    Invitation.objects.filter(
        organisation_id=membership.organisation_id,
        email=user.email.lower(),
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=now)
    if not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="member.access_ended", target=membership, detail={"role": membership.role})
    return membership


SSO_FIELDS = ("kind", "client_id", "client_secret", "tenant", "server_url", "provider_enforces_mfa", "enabled")


@transaction.atomic
def single_sign_on_save(*, actor: Membership, **fields) -> SingleSignOn:
    """Set (or change) the organisation's own sign-in. The client secret is kept when left blank on a change."""
    member_policy.require(actor, "manage_sign_in")
    kind = fields.get("kind")
    if kind == SingleSignOn.Kind.MICROSOFT and not (fields.get("tenant") or "").strip():
        raise ValidationError(
            {"tenant": "Enter your directory (tenant) ID: without it anyone's Microsoft account could try."}
        )
    if kind == SingleSignOn.Kind.OTHER and not (fields.get("server_url") or "").strip():
        raise ValidationError({"server_url": "Enter the provider's address."})
    existing = SingleSignOn.objects.filter(organisation_id=actor.organisation_id).first()
    if existing is None and not (fields.get("client_secret") or "").strip():
        raise ValidationError({"client_secret": "Enter the client secret your provider gave you."})
    config = existing or SingleSignOn(organisation_id=actor.organisation_id, key=secrets.token_hex(8))
    for name in SSO_FIELDS:
        value = fields.get(name)
        if name == "client_secret" and not value and existing is not None:
            continue
        setattr(config, name, value.strip() if isinstance(value, str) else value)
    config.save()
    audit_record(
        actor=actor,
        action="single_sign_on.changed",
        target=config,
        detail={"kind": config.kind, "enabled": config.enabled, "provider_enforces_mfa": config.provider_enforces_mfa},
    )
    return config


class StaffImportChanged(ValidationError):
    """What the staff import would do is no longer what was shown (someone changed the members meanwhile)."""


@transaction.atomic
def staff_import(
    *, actor: Membership, rows: list, mapping: dict, expected: str, link_for: LinkFor
) -> importing.StaffPlan:
    """Invite and update everyone in a staff spreadsheet exactly as its preview showed, all or nothing. `expected`
    is the preview's digest. Each new person is invited through `invite` and each member changed through `change`,
    so the rules and the audit are the ones the members page uses. If any e-mail cannot be sent, nothing is saved
    (a link already sent to someone earlier in the file then leads nowhere: importing again sends them a new one)."""
    member_policy.require(actor, "invite")
    # One import at a time per organisation: a second one waits here, then finds the first one's invitations.
    list(Organisation.objects.select_for_update().filter(pk=actor.organisation_id).values_list("pk", flat=True))
    problem = columns_problem(mapping, None, importing.COLUMNS)
    if problem:
        raise ValidationError(problem)
    plan = importing.plan_staff(rows, mapping, selectors.staff_import_holding(actor=actor))
    if plan.digest() != expected:
        raise StaffImportChanged(
            "Someone changed the members or invitations while you were looking at the preview, so nothing was sent "
            "or saved. Please check the new preview below and confirm again."
        )
    if plan.refused:
        raise ValidationError(
            f"{plan.refused} row{'s are' if plan.refused != 1 else ' is'} refused, so nothing was sent or saved. "
            "Please correct the file and upload it again."
        )
    sites = {site.pk: site for site in Site.objects.filter(organisation_id=actor.organisation_id)}
    wanted = {pk for row in plan.rows for pk in row.people}
    people = {
        person.pk: person for person in Learner.objects.filter(organisation_id=actor.organisation_id, pk__in=wanted)
    }
    for row in plan.rows:
        if row.action == importing.INVITE:
            invite(
                actor=actor,
                email=row.email,
                role=row.role,
                link_for=link_for,
                site=sites.get(row.site_id),
                learners=[people[pk] for pk in row.people],
                first_name=row.first_name,
                last_name=row.last_name,
            )
        elif row.action == importing.UPDATE:
            membership = Membership.objects.select_related("user").get(
                pk=row.membership_pk, organisation_id=actor.organisation_id
            )
            current = list(_current_links(membership).values_list("learner", flat=True))
            linked = Learner.objects.filter(pk__in=current) if current else Learner.objects.none()
            change(
                actor=actor,
                membership=membership,
                role=row.role,
                site=sites.get(row.site_id),
                learners=[*linked, *(people[pk] for pk in row.people)],
            )
    audit_record(
        actor=actor,
        action="staff_import.applied",
        detail={"invited": plan.count(importing.INVITE), "updated": plan.count(importing.UPDATE)},
    )
    return plan
