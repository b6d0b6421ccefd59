"""Every change to a learner's record goes through here: permission, validation, audit, one transaction."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from attunement.catalogue.rules import AuditActions, Catalogue, Words, same_name_key
from attunement.edits import EditConflict, edit_token, require_unchanged
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.policies import STAFF_ROLES
from attunement.organisations.selectors import staff_of

from . import importing
from .models import Assignment, CommunicationProfile, Group, KeyPerson, Learner, Need, Plan, PlanOutcome
from .photos import replace_photo
from .policies import group_policy, learner_policy
from .selectors import import_holding

LEARNER_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "needs",
    "site",
    "weekly_session_target",
    "identifier",
    "group",
)

GROUPS = Catalogue(
    Group,
    Words(thing="class or group", name_missing="Please give the class or group a name."),
    policy=group_policy,
    audit=AuditActions(
        added="group.added", changed="group.changed", retired="group.retired", restored="group.restored"
    ),
    edit_fields=("name", "site_id"),
)


def group_add(*, actor: Membership, name: str, site=None) -> Group:
    """Add a class or group at the end of the organisation's list."""
    return GROUPS.add(actor=actor, name=name, errors=_group_site_problem(actor, site), site=site)


def group_update(*, actor: Membership, group: Group, version: str | None, name: str, site=None) -> Group:
    """Rename a class or group, or move it to another site. People in it stay in it."""
    return GROUPS.change(
        actor=actor,
        entry=group,
        version=version,
        what="this class or group",
        name=name,
        check=lambda current: _group_site_problem(actor, site),
        site=site,
    )


def group_edit_token(group: Group) -> str:
    return GROUPS.edit_token(group)


def group_set_retired(*, actor: Membership, group: Group, retired: bool) -> Group:
    """A retired class or group is no longer offered for new choices; the people in it keep it until changed."""
    return GROUPS.set_retired(actor=actor, entry=group, retired=retired)


def _group_site_problem(actor: Membership, site) -> dict[str, str]:
    if site is not None and site.organisation_id != actor.organisation_id:
        return {"site": "Please choose one of your organisation's sites."}
    return {}


def identifier_taken(*, organisation_id: int, identifier: str, exclude_pk: int | None = None) -> Learner | None:
    """Who already has this identifier in the organisation (ignoring case and spaces at either end), if anyone."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return (
        Learner.objects.filter(organisation_id=organisation_id, identifier__iexact=identifier)
        .exclude(pk=exclude_pk)
        .first()
    )


def validate_learner_details(
    *,
    actor: Membership,
    first_name: str,
    last_name: str,
    date_of_birth=None,
    needs=(),
    site=None,
    group=None,
    identifier: str = "",
    learner: Learner | None = None,
    **_,
):
    errors = {}
    if not first_name.strip():
        errors["first_name"] = "Please enter a first name."
    if not last_name.strip():
        errors["last_name"] = "Please enter a last name."
    if date_of_birth and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    if date_of_birth and date_of_birth < date(1900, 1, 1):
        errors["date_of_birth"] = "Please check the date of birth: it is before 1900."
    unknown = set(needs or []) - set(Need.values)
    if unknown:
        errors["needs"] = "Please choose needs from the list."
    if site is not None and site.organisation_id != actor.organisation_id:
        errors["site"] = "Please choose one of your organisation's sites."
    if group is not None:
        if group.organisation_id != actor.organisation_id:
            errors["group"] = "Please choose one of your organisation's classes or groups."
        elif group.is_retired and (learner is None or learner.group_id != group.pk):
            errors["group"] = f"“{group.name}” is retired. Please choose another class or group."
    if len(identifier or "") > 50:
        errors["identifier"] = "Please keep the identifier under 50 characters."
    elif other := identifier_taken(
        organisation_id=actor.organisation_id, identifier=identifier or "", exclude_pk=learner.pk if learner else None
    ):
        errors["identifier"] = f"{other.full_name} already has the identifier “{other.identifier}”."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def learner_create(*, actor: Membership, photo=None, assigned=(), key_people=(), **details) -> Learner:
    """Add a person with their details, key people and the staff who work with them, all or nothing."""
    learner_policy.require(actor, "create")
    validate_learner_details(actor=actor, **details)
    learner = Learner.objects.create(organisation_id=actor.organisation_id, **_only(details, LEARNER_FIELDS))
    if photo:
        replace_photo(learner, photo)
    CommunicationProfile.objects.create(learner=learner, updated_by_id=actor.user_id)
    _replace_key_people(learner, key_people)
    _replace_assignments(actor, learner, assigned)
    audit_record(actor=actor, action="learner.created", learner=learner, target=learner)
    return learner


@transaction.atomic
def learner_update(
    *,
    actor: Membership,
    learner: Learner,
    version: int,
    photo=None,
    remove_photo=False,
    key_people=None,
    still_supported: bool | None = None,
    **details,
) -> Learner:
    """Change a person's details, key people and staff together; a clash with another edit changes nothing."""
    learner_policy.require(actor, "edit", learner)
    validate_learner_details(actor=actor, learner=learner, **details)
    fields = _only(details, LEARNER_FIELDS)
    updated = Learner.objects.filter(pk=learner.pk, version=version).update(version=F("version") + 1, **fields)
    if not updated:
        raise EditConflict(
            "Someone else changed these details while you were editing. Your changes were not saved: "
            "please reload the page to see the latest version and make them again."
        )
    learner.refresh_from_db()
    if still_supported is not None and still_supported != learner.is_active:
        learner.is_active = still_supported
        learner.left_on = None if still_supported else timezone.localdate()
        learner.save(update_fields=["is_active", "left_on"])
    if key_people is not None:
        _replace_key_people(learner, key_people)
    if photo:
        replace_photo(learner, photo)
    elif remove_photo and learner.photo:
        learner.photo.delete(save=True)
    audit_record(actor=actor, action="learner.changed", learner=learner, target=learner)
    return learner


def _replace_key_people(learner: Learner, people) -> None:
    learner.key_people.all().delete()
    KeyPerson.objects.bulk_create(
        KeyPerson(
            learner=learner, name=p["name"].strip(), relationship=p["relationship"].strip(), notes=p.get("notes", "")
        )
        for p in people
        if p.get("name", "").strip()
    )


def _replace_assignments(actor: Membership, learner: Learner, users) -> None:
    allowed = set(staff_of(actor.organisation).values_list("pk", flat=True))
    wanted = {user.pk for user in users}
    if wanted - allowed:
        raise ValidationError({"assigned": "Please choose members of your own organisation."})
    for user_id in wanted - set(learner.assignments.values_list("user_id", flat=True)):
        Assignment.objects.create(learner=learner, user_id=user_id)


@transaction.atomic
def assignment_set(*, actor: Membership, learner: Learner, user, starts_on=None, ends_on=None) -> Assignment:
    """Link a member of staff or a family member to a person, from and until the dates given (both optional).
    Access ends by itself after `ends_on`. Linking someone already linked changes their dates."""
    learner_policy.require(actor, "assign", learner)
    if not linkable_members(actor.organisation).filter(pk=user.pk).exists():
        raise ValidationError({"user": "Please choose a member of staff or a family member of your organisation."})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    if ends_on and ends_on < timezone.localdate():
        raise ValidationError({"ends_on": "The end date has passed. To end access now, use “End now”."})
    assignment, _ = Assignment.objects.update_or_create(
        learner=learner, user=user, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    audit_record(actor=actor, action="assignment.changed", learner=learner, target=assignment)
    return assignment


@transaction.atomic
def assignment_end(*, actor: Membership, learner: Learner, assignment: Assignment) -> Assignment:
    """End someone's access to a person at once; the link stays, dated, as a record of who had access when."""
    learner_policy.require(actor, "assign", learner)
    if assignment.learner_id != learner.pk:
        raise ValidationError("That link is not for this person.")
    assignment.ends_on = timezone.localdate() - timedelta(days=1)
    if assignment.starts_on and assignment.starts_on > assignment.ends_on:
        assignment.starts_on = assignment.ends_on
    assignment.save(update_fields=["starts_on", "ends_on"])
    audit_record(actor=actor, action="assignment.ended", learner=learner, target=assignment)
    return assignment


def linkable_members(organisation):
    """Who can be linked to a person: staff who work with people, and family members."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__role__in=STAFF_ROLES | {Role.FAMILY},
        )
        .distinct()
    )


@transaction.atomic
def profile_update(*, actor: Membership, learner: Learner, version: int, **sections) -> CommunicationProfile:
    learner_policy.require(actor, "edit_profile", learner)
    profile, _ = CommunicationProfile.objects.get_or_create(learner=learner)
    sections = {key: (value or "").strip() for key, value in sections.items()}
    updated = CommunicationProfile.objects.filter(pk=profile.pk, version=version).update(
        version=F("version") + 1, updated_by_id=actor.user_id, updated_at=timezone.now(), **sections
    )
    if not updated:
        raise EditConflict(
            "Someone else changed this profile while you were editing. Your changes were not saved: "
            "the page now shows their version, with your text kept below so you can copy it back."
        )
    audit_record(actor=actor, action="profile.changed", learner=learner, target=profile)
    profile.refresh_from_db()
    return profile


@transaction.atomic
def plan_create(
    *,
    actor: Membership,
    learner: Learner,
    kind: str,
    title: str = "",
    starts_on=None,
    review_on=None,
    outcomes: list[str] = (),
) -> Plan:
    learner_policy.require(actor, "manage_plans", learner)
    _validate_plan_dates(starts_on, review_on)
    plan = Plan.objects.create(
        learner=learner, kind=kind, title=title.strip(), starts_on=starts_on, review_on=review_on
    )
    PlanOutcome.objects.bulk_create(PlanOutcome(plan=plan, text=text.strip()) for text in outcomes if text.strip())
    audit_record(actor=actor, action="plan.created", learner=learner, target=plan)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Membership,
    plan: Plan,
    kind: str,
    title: str,
    starts_on,
    review_on,
    is_active: bool,
    outcome_texts: dict[int, str],
    new_outcomes: list[str],
    version: str | None = None,
) -> Plan:
    """Outcomes are never deleted, only retired, so sessions and reviews linked to them keep their evidence.

    `version` is the plan's edit token when the form was opened (see attunement.edits): if someone else saved
    the plan or its outcomes since, nothing is changed and EditConflict says so."""
    learner_policy.require(actor, "manage_plans", plan.learner)
    _validate_plan_dates(starts_on, review_on)
    plan = Plan.objects.select_for_update().select_related("learner").get(pk=plan.pk)
    require_unchanged(version, plan_edit_token(plan), "this plan")
    plan.kind, plan.title, plan.starts_on, plan.review_on, plan.is_active = (
        kind,
        title.strip(),
        starts_on,
        review_on,
        is_active,
    )
    plan.save()
    for outcome in plan.outcomes.all():
        text = outcome_texts.get(outcome.pk, outcome.text).strip()
        outcome.is_active = bool(text)
        outcome.text = text or outcome.text
        outcome.save()
    PlanOutcome.objects.bulk_create(PlanOutcome(plan=plan, text=text.strip()) for text in new_outcomes if text.strip())
    audit_record(actor=actor, action="plan.changed", learner=plan.learner, target=plan)
    return plan


def plan_edit_token(plan: Plan) -> str:
    """The fingerprint of a plan and its outcomes as saved now."""
    outcomes = list(PlanOutcome.objects.filter(plan=plan).order_by("pk").values_list("pk", "text", "is_active"))
    return edit_token(plan.kind, plan.title, plan.starts_on, plan.review_on, plan.is_active, outcomes)


def plan_saved_now(plan: Plan) -> list[tuple[str, object]]:
    """The plan as saved now, in words, to show beside the form after a clash."""
    plan = Plan.objects.get(pk=plan.pk)
    rows = [
        ("Kind of plan", plan.get_kind_display()),
        ("Title", plan.title),
        ("Starts", plan.starts_on or ""),
        ("Next review", plan.review_on or ""),
        ("This plan is current", "yes" if plan.is_active else "no"),
    ]
    rows += [("Outcome", o.text) for o in plan.outcomes.filter(is_active=True).order_by("pk")]
    return rows


def _validate_plan_dates(starts_on, review_on):
    if starts_on and review_on and review_on < starts_on:
        raise ValidationError({"review_on": "The review date must be after the start date."})


def _only(values: dict, names) -> dict:
    return {name: values[name] for name in names if name in values}


class ImportChanged(ValidationError):
    """What the import would do is no longer what was shown (someone changed the records meanwhile)."""


@transaction.atomic
def people_import(
    *, actor: Membership, rows: list, mapping: dict, expected: str, today: date | None = None
) -> importing.Plan:
    """Save an import exactly as its preview showed it, all or nothing. `expected` is the preview's digest: if
    the plan worked out now differs (someone added or changed a person meanwhile), nothing is saved. Nothing is
    saved either while any row is refused. Classes named in the file that do not exist are added."""
    learner_policy.require(actor, "import")
    # One import at a time per organisation: a second one waits here, then finds the first one's people.
    list(Organisation.objects.select_for_update().filter(pk=actor.organisation_id).values_list("pk", flat=True))
    problem = importing.columns_problem(mapping)
    if problem:
        raise ValidationError(problem)
    plan = importing.plan_rows(rows, mapping, import_holding(actor=actor), today=today or timezone.localdate())
    if plan.digest() != expected:
        raise ImportChanged(
            "Someone changed the records while you were looking at the preview, so nothing was saved. "
            "Please check the new preview below and confirm again."
        )
    if plan.refused:
        raise ValidationError(
            f"{plan.refused} row{'s are' if plan.refused != 1 else ' is'} refused, so nothing was saved. Please "
            "correct the file and upload it again."
        )
    groups = {same_name_key(group.name): group for group in Group.objects.filter(organisation_id=actor.organisation_id)}
    for name in plan.new_groups:
        groups[same_name_key(name)] = GROUPS.add(actor=actor, name=name)
    # The new people are written together (a school's whole roll is thousands of rows); changes one by one.
    adding = [row for row in plan.rows if row.action == importing.CREATE]
    added = Learner.objects.bulk_create(
        Learner(
            organisation_id=actor.organisation_id,
            group=groups[same_name_key(row.group_name)] if row.group_name else None,
            site_id=groups[same_name_key(row.group_name)].site_id if row.group_name else None,
            **row.values,
        )
        for row in adding
    )
    CommunicationProfile.objects.bulk_create(
        CommunicationProfile(learner=learner, updated_by_id=actor.user_id) for learner in added
    )
    links = [
        Assignment(learner=learner, user_id=user_id)
        for row, learner in zip(adding, added, strict=True)
        for user_id in row.new_staff
    ]
    for learner in added:
        audit_record(actor=actor, action="learner.created", learner=learner, target=learner, detail={"import": True})
    created, updated = len(added), 0
    for row in plan.rows:
        if row.action != importing.UPDATE:
            continue
        fields = dict(row.values)
        if row.group_name:
            fields["group"] = groups[same_name_key(row.group_name)]
        learner = Learner.objects.select_for_update().get(pk=row.person_pk, organisation_id=actor.organisation_id)
        if fields:
            for name, value in fields.items():
                setattr(learner, name, value)
            learner.version += 1
            learner.save(update_fields=[*fields, "version", "updated_at"])
        links += [Assignment(learner=learner, user_id=user_id) for user_id in row.new_staff]
        audit_record(actor=actor, action="learner.changed", learner=learner, target=learner, detail={"import": True})
        updated += 1
    Assignment.objects.bulk_create(links)
    audit_record(
        actor=actor,
        action="people_import.applied",
        detail={"added": created, "updated": updated, "classes added": len(plan.new_groups)},
    )
    return plan
