"""The rules every catalogue follows, and their plain-word messages.

- A name is tidied (runs of spaces, tabs and line breaks become one space; nothing at either end) and must not
  be blank or longer than the model's field allows.
- Two entries of one organisation's list never share a name, ignoring case, spacing and how an accented letter
  was typed ("Trust and empathy" and " trust  AND empathy" are the same name). A retired entry keeps its name,
  so its name cannot be added again: the message says to bring the retired one back instead.
- Adding puts the entry at the end of the list. Changing an entry takes its row lock and is refused if someone
  else saved it after the form was drawn (see attunement.edits). Retiring or bringing back an entry that is
  already so changes nothing.
- Every add, change, retirement and return leaves an audit entry named by the app ("course.added").

Only the roles the app's policy allows to "manage" change a list, and only their own organisation's entries; the
refusal names those roles. Each app passes the errors of its own fields to be reported with the name's.
"""

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from attunement.edits import edit_token, require_unchanged
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership
from attunement.organisations.policies import Policy

from .models import CatalogueEntry


def tidy_name(name: str | None) -> str:
    """The name as it is stored: one space between words, accents in their composed form."""
    return unicodedata.normalize("NFC", " ".join((name or "").split()))


def same_name_key(name: str) -> str:
    """Two names are the same name when these agree."""
    return unicodedata.normalize("NFKC", tidy_name(name)).casefold()


@dataclass(frozen=True)
class Words:
    """How one catalogue speaks of its entries."""

    thing: str  # "Fundamental", "course", "code": as in "There is already a course called …"
    name_missing: str  # the message for a blank name
    name_is: str = "name"  # "name" or "description": as in "Please keep the name under 200 characters."


@dataclass(frozen=True)
class AuditActions:
    """What each change to a list is called in the audit trail, for example "fundamental.renamed"."""

    added: str
    changed: str
    retired: str
    restored: str


@dataclass(frozen=True)
class Catalogue:
    """The add / change / retire rules for one model of entries."""

    model: type[CatalogueEntry]
    words: Words
    policy: Policy  # its "manage" action says who may change the list, and its words the refusal
    audit: AuditActions  # the audit trail's action for each change, spelled out so the trail's words cover it
    edit_fields: tuple[str, ...] = ("name",)  # the values a change form's edit token covers

    def require_manage(self, actor: Membership, entry: CatalogueEntry | None = None) -> None:
        """PermissionDenied unless the actor's role may change the list (and `entry` is their organisation's)."""
        if not self.policy.role_may(actor, "manage"):
            raise PermissionDenied(self.policy.refusal("manage"))
        if entry is not None and not self.policy.allows(actor, "manage", entry):
            raise PermissionDenied(f"That {self.words.thing} is not in your organisation's list.")

    @property
    def longest_name(self) -> int:
        return self.model._meta.get_field("name").max_length

    def name_problem(self, organisation_id: int, name: str, *, exclude_pk: int | None = None) -> str | None:
        """What is wrong with this (tidied) name for this organisation's list, in plain words, or None."""
        if not name:
            return self.words.name_missing
        if len(name) > self.longest_name:
            return f"Please keep the {self.words.name_is} under {self.longest_name} characters."
        key = same_name_key(name)
        others = self.model.objects.filter(organisation_id=organisation_id).exclude(pk=exclude_pk)
        for other_name, retired_at in others.values_list("name", "retired_at"):
            if same_name_key(other_name) == key:
                if retired_at is not None:
                    advice = (
                        "Please choose another name, or bring that one back with “Use again”."
                        if exclude_pk is not None
                        else "Bring it back with “Use again” instead of adding it anew."
                    )
                    return f"There is already a {self.words.thing} called “{other_name}”, retired. {advice}"
                return f"There is already a {self.words.thing} called “{other_name}”."
        return None

    def clean_name(
        self,
        organisation_id: int,
        name: str | None,
        *,
        errors: Mapping[str, str] | None = None,
        exclude_pk: int | None = None,
    ) -> str:
        """The tidied name, or ValidationError with its problem and `errors`, the app's own fields' problems."""
        name = tidy_name(name)
        errors = dict(errors or {})
        if problem := self.name_problem(organisation_id, name, exclude_pk=exclude_pk):
            errors.setdefault("name", problem)
        if errors:
            raise ValidationError(errors)
        return name

    def edit_token(self, entry: CatalogueEntry) -> str:
        return edit_token(*(getattr(entry, field) for field in self.edit_fields))

    @transaction.atomic
    def add(
        self, *, actor: Membership, name: str | None, errors: Mapping[str, str] | None = None, **fields
    ) -> CatalogueEntry:
        """Add an entry at the end of the actor's organisation's list. `errors` are the app's own fields'
        problems, reported together with the name's."""
        self.require_manage(actor)
        organisation_id = actor.organisation_id
        name = self.clean_name(organisation_id, name, errors=errors)
        last = self.model.objects.filter(organisation_id=organisation_id).aggregate(m=Max("position"))["m"]
        entry = self.model.objects.create(
            organisation_id=organisation_id, name=name, position=(last or 0) + 1, **fields
        )
        audit_record(actor=actor, action=self.audit.added, target=entry)
        return entry

    @transaction.atomic
    def change(
        self,
        *,
        actor: Membership,
        entry: CatalogueEntry,
        version: str | None,
        what: str,
        name: str | None,
        check: Callable[[CatalogueEntry], Mapping[str, str]] | None = None,
        **fields,
    ) -> CatalogueEntry:
        """Rename an entry and set its other `fields`. `version` is the edit token from when the form was drawn
        (None: not checked) and `what` names the entry in the message if it changed meanwhile ("this course").
        `check` finds the app's own fields' problems on the entry as saved now (its row locked)."""
        self.require_manage(actor, entry)
        current = self.model.objects.select_for_update().get(pk=entry.pk)
        require_unchanged(version, self.edit_token(current), what)
        errors = check(current) if check else None
        name = self.clean_name(current.organisation_id, name, errors=errors, exclude_pk=current.pk)
        fields = {"name": name, **fields}
        for target in (current, entry):
            for field, value in fields.items():
                setattr(target, field, value)
        current.save(update_fields=list(fields))
        audit_record(actor=actor, action=self.audit.changed, target=current)
        return current

    @transaction.atomic
    def set_retired(
        self,
        *,
        actor: Membership,
        entry: CatalogueEntry,
        retired: bool,
        restore_problem: Callable[[CatalogueEntry], str | None] | None = None,
    ) -> CatalogueEntry:
        """Retire an entry (it leaves the forms for new records; past records keep it) or bring it back.
        `restore_problem` says, in plain words, why the entry cannot come back as it is, or None."""
        self.require_manage(actor, entry)
        current = self.model.objects.select_for_update().get(pk=entry.pk)
        if current.is_retired == retired:
            entry.retired_at = current.retired_at
            return current
        if not retired and restore_problem is not None:
            problem = restore_problem(current)
            if problem:
                raise ValidationError(problem)
        current.retired_at = entry.retired_at = timezone.now() if retired else None
        current.save(update_fields=["retired_at"])
        audit_record(actor=actor, action=self.audit.retired if retired else self.audit.restored, target=current)
        return current
