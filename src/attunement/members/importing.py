"""What an import of staff (and family members) from a spreadsheet would do, row by row, before anything is sent.

Each row is someone to invite, a member whose role, site or people would change, someone already here or already
invited (no change), or refused with the reason. The columns, the cells and the preview's fingerprint work as in
the people import (`learners.importing`), whose helpers this uses.

- **Who a row is**: their e-mail address, in lower case. A current member with that address is updated; an
  invitation still waiting for it is left as it is (nobody is invited twice); anyone else is invited.
- **Roles** are written in plain words and mapped by `ROLE_WORDS` (for example "Teaching assistant" is a
  practitioner, "Parent" a family member); any other word is refused with the list of words understood.
- **Sites** are matched by name, ignoring case and spacing; a site that does not exist is refused.
- **The people they work with**: several in one cell, separated by ";". Each is found by their identifier (such as
  a UPN, ignoring case) or else their full name (first or preferred name, then last name). A name that matches
  nobody, or more than one person, is refused with the reason. People are only ever added to a member's list.
- An empty cell never clears what is held.

This module reads nothing from the database: `StaffHolding` is filled by `members.selectors.staff_import_holding`.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from attunement.learners.importing import Column, PlanCounts, heading_key, is_formula, name_key, tidy
from attunement.organisations.models import Role

from .policies import member_policy

COLUMNS = (
    Column("first_name", "First name", True, ("firstname", "forename", "givenname", "forenames", "first")),
    Column("last_name", "Last name", True, ("lastname", "surname", "familyname", "last")),
    Column(
        "email",
        "E-mail",
        True,
        ("email", "emailaddress", "workemail", "schoolemail", "mail", "emails"),
        "Their invitation is sent here, and it is how they are found when you import again.",
    ),
    Column(
        "role",
        "Role",
        True,
        ("role", "jobtitle", "job", "position", "post", "staffrole", "accessrole"),
        "For example: Teaching assistant, Teacher, Co-ordinator, Parent.",
    ),
    Column("site", "Site", False, ("site", "school", "campus", "location", "base", "service")),
    Column(
        "people",
        "Works with",
        False,
        ("workswith", "people", "pupils", "learners", "students", "keypupils", "keychildren", "children", "upns"),
        "The people's identifiers (UPNs) or full names, separated by “;”.",
    ),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
TEMPLATE_HEADINGS = ("First name", "Last name", "E-mail", "Role", "Site", "Works with")

# The words a role cell may hold, as heading_key writes them. Kept short on purpose: a word that could mean two
# roles (such as "carer", paid or family) is not here, so the person importing says which they mean.
ROLE_WORDS = {
    **{heading_key(value): value for value in Role.values},
    **{heading_key(label): value for value, label in Role.choices},
    "teachingassistant": Role.PRACTITIONER,
    "ta": Role.PRACTITIONER,
    "hlta": Role.PRACTITIONER,
    "higherlevelteachingassistant": Role.PRACTITIONER,
    "teacher": Role.PRACTITIONER,
    "classteacher": Role.PRACTITIONER,
    "supportworker": Role.PRACTITIONER,
    "keyworker": Role.PRACTITIONER,
    "staff": Role.PRACTITIONER,
    "iicoordinator": Role.COORDINATOR,
    "intensiveinteractioncoordinator": Role.COORDINATOR,
    "champion": Role.COORDINATOR,
    "headteacher": Role.MANAGER,
    "deputyheadteacher": Role.MANAGER,
    "deputyhead": Role.MANAGER,
    "servicemanager": Role.MANAGER,
    "parent": Role.FAMILY,
    "guardian": Role.FAMILY,
    "family": Role.FAMILY,
    "speechandlanguagetherapist": Role.THERAPIST,
    "salt": Role.THERAPIST,
    "occupationaltherapist": Role.THERAPIST,
    "physiotherapist": Role.THERAPIST,
    "admin": Role.ADMINISTRATOR,
}
ROLE_EXAMPLES = "Practitioner, Teaching assistant, Teacher, Co-ordinator, Manager, Parent, Therapist, Administrator"


def parse_role(text: str) -> tuple[str | None, str | None]:
    """The role a cell names, or the reason it is refused."""
    if not text.strip():
        return None, "The role is missing."
    role = ROLE_WORDS.get(heading_key(text))
    if role is None:
        return None, f"“{text}” is not a role Attunement knows. Please write one of: {ROLE_EXAMPLES}."
    return role, None


def split_people(text: str) -> list[str]:
    return [tidy(part) for part in re.split(r"[;\n]+", text) if part.strip()]


def valid_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


# --- What the organisation holds now ------------------------------------------------------------------------------


@dataclass
class MemberHeld:
    membership_pk: int
    role: str
    site_id: int | None
    people: set[int]  # the people they are linked to now
    is_actor: bool = False


@dataclass
class InvitationHeld:
    pk: int
    sent_on: str  # in words, as the preview shows it
    role: str
    site_id: int | None
    people: set[int]


@dataclass
class StaffHolding:
    members: dict[str, MemberHeld]  # by e-mail (lower case): current members only
    invitations: dict[str, InvitationHeld]  # by e-mail: invitations still waiting
    sites: dict[str, tuple[int, str]]  # by name_key -> (pk, name)
    people: list[tuple[int, str, str, str, str]]  # (pk, first name, preferred name, last name, identifier)
    may_manage_administrators: bool

    def __post_init__(self):
        self.by_identifier: dict[str, list[int]] = {}
        self.by_name: dict[str, set[int]] = {}
        self.names: dict[int, str] = {}
        for pk, first, preferred, last, identifier in self.people:
            self.names[pk] = f"{preferred or first} {last}"
            if identifier:
                self.by_identifier.setdefault(identifier.casefold(), []).append(pk)
            for given in {first, preferred} - {""}:
                self.by_name.setdefault(name_key(f"{given} {last}"), set()).add(pk)
        self.site_names = {pk: name for pk, name in self.sites.values()}


# --- The plan ---------------------------------------------------------------------------------------------------

INVITE, UPDATE, SAME, REFUSE = "invite", "update", "same", "refuse"
ACTION_WORDS = {INVITE: "Will be invited", UPDATE: "Will be updated", SAME: "No change", REFUSE: "Refused"}
ROLE_NAMES = dict(Role.choices)


@dataclass
class StaffRow:
    line: int
    action: str = INVITE
    name: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    site_id: int | None = None
    people: list[int] = field(default_factory=list)  # invite: all named; update: the ones to add
    membership_pk: int | None = None
    changes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: str = ""  # what happens, in words, for the preview

    @property
    def action_words(self) -> str:
        return ACTION_WORDS[self.action]


@dataclass
class StaffPlan(PlanCounts):
    rows: list[StaffRow]
    actions = (INVITE, UPDATE, SAME, REFUSE)

    def digest(self) -> str:
        """A fingerprint of exactly what would be sent and saved: confirming checks it is still what was shown."""
        shown = [
            [row.line, row.action, row.email, row.role, row.site_id, sorted(row.people), row.membership_pk, row.reasons]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


def _cell(cells: list[str], mapping: dict[str, int | None], key: str) -> str:
    index = mapping.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def plan_staff(rows: list[tuple[int, list[str]]], mapping: dict[str, int | None], holding: StaffHolding) -> StaffPlan:
    plans = [_plan_row(line, cells, mapping, holding) for line, cells in rows]
    _refuse_repeats(plans)
    return StaffPlan(rows=plans)


def _find_person(holding: StaffHolding, text: str) -> tuple[int | None, str | None]:
    found = holding.by_identifier.get(text.casefold(), [])
    if len(found) == 1:
        return found[0], None
    named = holding.by_name.get(name_key(text), set())
    if len(named) == 1:
        return next(iter(named)), None
    if len(named) > 1:
        return None, f"{len(named)} people are called “{text}”: please use their identifier (UPN) instead."
    return None, f"Nobody here has the identifier or name “{text}”. Import the people first, or check the spelling."


def _plan_row(line: int, cells: list[str], mapping, holding: StaffHolding) -> StaffRow:
    row = StaffRow(line=line)
    raw = {key: _cell(cells, mapping, key) for key in COLUMN_KEYS}
    row.first_name, row.last_name = tidy(raw["first_name"]), tidy(raw["last_name"])
    row.name = f"{row.first_name} {row.last_name}".strip()
    for column in COLUMNS:
        if is_formula(raw[column.key]):
            row.reasons.append(
                f"The {column.label.lower()} cell holds a formula ({raw[column.key][:40]}). Formulas are not run: "
                "please type the value itself."
            )
    if row.reasons:
        row.action = REFUSE
        return row
    if not row.first_name:
        row.reasons.append("The first name is missing.")
    if not row.last_name:
        row.reasons.append("The last name is missing.")
    for label, value in (("first name", row.first_name), ("last name", row.last_name)):
        if len(value) > 150:
            row.reasons.append(f"The {label} is longer than 150 characters.")
    row.email = raw["email"].strip().strip("<>").lower()
    if not row.email:
        row.reasons.append("The e-mail address is missing.")
    elif not valid_email(row.email):
        row.reasons.append(f"“{raw['email'].strip()}” is not an e-mail address.")
    role, problem = parse_role(raw["role"])
    if problem:
        row.reasons.append(problem)
    elif role == Role.ADMINISTRATOR and not holding.may_manage_administrators:
        row.reasons.append(member_policy.refusal("manage_administrators"))
    row.role = role or ""
    site_name = tidy(raw["site"])
    if site_name:
        site = holding.sites.get(name_key(site_name))
        if site is None:
            known = ", ".join(name for _, name in holding.sites.values()) or "none yet"
            row.reasons.append(f"There is no site called “{site_name}” (the sites are: {known}).")
        else:
            row.site_id = site[0]
    people: list[int] = []
    for part in split_people(raw["people"]):
        pk, problem = _find_person(holding, part)
        if problem:
            row.reasons.append(problem)
        elif pk not in people:
            people.append(pk)
    if row.reasons:
        row.action = REFUSE
        return row
    member = holding.members.get(row.email)
    if member is not None:
        return _plan_member(row, member, people, site_name, holding)
    if row.role == Role.FAMILY and not people:
        row.reasons.append("A family member sees only the people they are linked to: name at least one.")
        row.action = REFUSE
        return row
    row.people = sorted(people)
    invitation = holding.invitations.get(row.email)
    if invitation is not None:
        row.action = SAME
        row.details = f"Already invited on {invitation.sent_on}: nobody is invited twice."
        if (row.role, row.site_id or invitation.site_id, set(row.people) | invitation.people) != (
            invitation.role,
            invitation.site_id,
            invitation.people,
        ):
            row.warnings.append(
                "The invitation says something different. To change it, withdraw it on the members page and "
                "import again."
            )
        row.role, row.site_id, row.people = "", None, []
        return row
    row.action = INVITE
    row.details = _described(holding, row.role, row.site_id, row.people)
    return row


def _plan_member(row: StaffRow, member: MemberHeld, people: list[int], site_name: str, holding) -> StaffRow:
    row.membership_pk = member.membership_pk
    changes = []
    if row.role != member.role:
        changes.append(f"role from {ROLE_NAMES[member.role].lower()} to {ROLE_NAMES[row.role].lower()}")
    if site_name and row.site_id != member.site_id:
        changes.append(f"site to {holding.site_names[row.site_id]}")
    else:
        row.site_id = member.site_id
    added = sorted(set(people) - member.people)
    if added:
        changes.append("works with " + ", ".join(holding.names[pk] for pk in added) + " as well")
    row.people = added
    if not changes:
        row.action, row.details = SAME, "Already a member, and nothing would change."
        row.role, row.site_id = "", None
        return row
    if row.role == Role.FAMILY and not (member.people | set(people)):
        row.reasons.append("A family member sees only the people they are linked to: name at least one.")
    if member.is_actor:
        row.reasons.append("This is you: ask another co-ordinator or an administrator to change your own access.")
    elif Role.ADMINISTRATOR in {row.role, member.role} and not holding.may_manage_administrators:
        row.reasons.append(member_policy.refusal("manage_administrators"))
    if row.reasons:
        row.action = REFUSE
        return row
    row.action, row.changes = UPDATE, changes
    return row


def _described(holding: StaffHolding, role: str, site_id: int | None, people: list[int]) -> str:
    role_name = ROLE_NAMES[role].lower()
    words = f"As {'an' if role_name[0] in 'aeiou' else 'a'} {role_name}"
    if site_id is not None:
        words += f" at {holding.site_names[site_id]}"
    if people:
        words += ", working with " + ", ".join(holding.names[pk] for pk in people)
    return words + "."


def _refuse_repeats(plans: list[StaffRow]) -> None:
    """Two rows with the same e-mail address are both refused: which one is right is for the person importing."""
    lines: dict[str, list[int]] = {}
    for row in plans:
        if row.email:
            lines.setdefault(row.email, []).append(row.line)
    for row in plans:
        others = [line for line in lines.get(row.email, []) if line != row.line]
        if others:
            row.action = REFUSE
            row.reasons.append(
                f"The same e-mail address is also in row {', '.join(map(str, others))}. Please keep one row for "
                "each person."
            )
