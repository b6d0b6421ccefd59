"""What an import of people from a spreadsheet would do, row by row, before anything is saved.

`guess_columns` recognises the usual headings of a school information system's export; the person importing
can change the choice. `plan_rows` works out, for every row, whether it would add a person, change one, change
nothing, or be refused, and why, in plain words, from the rows and what the organisation holds now
(`Holding`). The service saves exactly that plan, after checking it is still what was shown.

How a row finds the person it is about: by the identifier (a UPN or the organisation's own number), ignoring
case; a row without one, by first name, last name and date of birth (ignoring case and spacing). A row that
matches nobody adds a person. An empty cell never clears what is held: it leaves it as it is.

Dates: dd/mm/yyyy (also with dots or dashes), yyyy-mm-dd, and Excel's day numbers (five digits, as a cell
formatted as a number shows a date). A date whose middle number is over 12 (month first, as in the US) or whose
year has two digits is refused with the reason, rather than guessed.

This module reads nothing from the database: `Holding` is filled by a selector (learners.selectors.import_holding).
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from attunement.catalogue.rules import same_name_key

from .models import Need

MAX_IDENTIFIER = 50
MAX_NAME = 100


def heading_key(text: str) -> str:
    """A heading as compared: letters and digits only, in lower case ("Date of Birth:" -> "dateofbirth")."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKD", text).casefold())


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    headings: tuple[str, ...]  # the headings it is recognised by, as heading_key writes them
    hint: str = ""


COLUMNS = (
    Column(
        "first_name",
        "First name",
        True,
        ("firstname", "forename", "legalforename", "givenname", "forenames", "first"),
    ),
    Column("last_name", "Last name", True, ("lastname", "surname", "legalsurname", "familyname", "last")),
    Column(
        "preferred_name",
        "Preferred name",
        False,
        ("preferredname", "preferredforename", "knownas", "nickname", "preferredfirstname", "chosenname"),
    ),
    Column("date_of_birth", "Date of birth", False, ("dateofbirth", "dob", "birthdate", "born", "birthday")),
    Column(
        "group",
        "Class or group",
        False,
        ("class", "group", "classorgroup", "reggroup", "registrationgroup", "form", "tutorgroup", "house", "team"),
        "A class that does not exist yet is added.",
    ),
    Column(
        "needs",
        "Needs",
        False,
        ("needs", "need", "senneed", "sendneed", "primaryneed", "senneeds", "sendneeds", "sen", "send"),
        "Separated by commas, for example: Autism, PMLD.",
    ),
    Column(
        "identifier",
        "Identifier (UPN)",
        False,
        ("upn", "uniquepupilnumber", "identifier", "id", "pupilnumber", "admissionnumber", "adno", "reference"),
        "Used to find the same person when you import again.",
    ),
    Column(
        "key_staff",
        "Key staff e-mail",
        False,
        (
            "keystaffemail",
            "keystaff",
            "keystaffemails",
            "keyworker",
            "keyworkeremail",
            "keyadult",
            "keyadults",
            "staffemail",
            "staff",
        ),
        "The e-mail addresses your staff sign in with, separated by commas.",
    ),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
TEMPLATE_HEADINGS = (
    "First name",
    "Last name",
    "Preferred name",
    "Date of birth",
    "Class",
    "Needs",
    "UPN",
    "Key staff e-mail",
)


def guess_columns(headings: list[str], columns: tuple[Column, ...] = COLUMNS) -> dict[str, int | None]:
    """Which column of the file holds each thing, from its heading (None: not found). A column is used once."""
    keys = [heading_key(heading) for heading in headings]
    found: dict[str, int | None] = {}
    used: set[int] = set()
    for column in columns:
        found[column.key] = None
        for wanted in column.headings:
            index = next((i for i, key in enumerate(keys) if key == wanted and i not in used), None)
            if index is not None:
                found[column.key] = index
                used.add(index)
                break
    return found


def unrecognised_headings(headings: list[str], mapping: dict[str, int | None]) -> list[str]:
    """The file's headings that no column was chosen from: the person importing is asked about them."""
    used = {index for index in mapping.values() if index is not None}
    return [heading for index, heading in enumerate(headings) if heading and index not in used]


def columns_problem(
    mapping: dict[str, int | None], width: int | None = None, columns: tuple[Column, ...] = COLUMNS
) -> str | None:
    """Why this choice of columns cannot be used, in plain words, or None. `width`: how many columns the file's
    headings have."""
    missing = [column.label.lower() for column in columns if column.required and mapping.get(column.key) is None]
    if missing:
        return f"Please choose the column with the {' and the '.join(missing)}."
    chosen = [index for index in mapping.values() if index is not None]
    if any(index < 0 or (width is not None and index >= width) for index in chosen):
        return "Please choose columns that are in the file."
    if len(chosen) != len(set(chosen)):
        return "Each column of the file can be used for one thing only."
    return None


# --- Cells -------------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "@")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's dates, allowing for its 29 February 1900


def is_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")


def parse_date(text: str) -> tuple[date | None, str | None]:
    """The date in a cell, or the reason it is refused. An empty cell is (None, None)."""
    text = text.strip()
    if not text:
        return None, None
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _real_date(year, month, day, text)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
        if len(year) != 4:
            return None, f"“{text}” has a two-digit year. Please write the year in full, for example 03/04/2015."
        if int(month) > 12 and int(day) <= 12:
            return None, (
                f"“{text}” looks like month first (a US date), so it could be read wrongly. Please write it as "
                "day/month/year or year-month-day."
            )
        return _real_date(int(year), int(month), int(day), text)
    if text.isascii() and text.isdigit():
        if len(text) == 5:
            return EXCEL_EPOCH + timedelta(days=int(text)), None
        if len(text) == 4:
            return (
                None,
                f"“{text}” could be a year or an Excel date. Please give the whole date, for example 03/04/2015.",
            )
    return (
        None,
        f"“{text}” is not a date this importer reads. Please write it as day/month/year, for example 03/04/2015.",
    )


def _real_date(year: int, month: int, day: int, text: str) -> tuple[date | None, str | None]:
    try:
        return date(year, month, day), None
    except ValueError:
        return None, f"“{text}” is not a real date."


_NEED_WORDS = {
    **{heading_key(code): code for code in Need.values},
    **{heading_key(label): code for code, label in Need.choices},
    "asd": Need.AUTISM,
    "asc": Need.AUTISM,
    "autistic": Need.AUTISM,
    "autismspectrumdisorder": Need.AUTISM,
    "autismspectrumcondition": Need.AUTISM,
    "profoundandmultiplelearningdifficulty": Need.PMLD,
    "profoundandmultiplelearningdifficulties": Need.PMLD,
    "profoundandmultiplelearningdisabilities": Need.PMLD,
    "severelearningdifficulty": Need.SLD,
    "severelearningdifficulties": Need.SLD,
    "severelearningdisabilities": Need.SLD,
    "multisensoryimpairment": Need.MSI,
    "globaldevelopmentaldelay": Need.GDD,
    "complexcommunicationneeds": Need.CCN,
}


def parse_needs(text: str) -> tuple[list[str], list[str]]:
    """The needs named in a cell (codes, in the list's order) and the words that name none of them."""
    found, unknown = set(), []
    for part in re.split(r"[,;/|\n]+", text):
        part = part.strip()
        if not part:
            continue
        code = _NEED_WORDS.get(heading_key(part))
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    return [code for code in Need.values if code in found], unknown


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_emails(text: str) -> tuple[list[str], list[str]]:
    """The e-mail addresses in a cell (lower case, each once) and the parts that are not addresses."""
    emails, bad = [], []
    for part in re.split(r"[,;\s]+", text):
        part = part.strip().strip("<>").lower()
        if not part:
            continue
        if _EMAIL.fullmatch(part):
            if part not in emails:
                emails.append(part)
        else:
            bad.append(part)
    return emails, bad


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold()


def tidy(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


# --- What the organisation holds now ------------------------------------------------------------------------------


@dataclass
class PersonHeld:
    pk: int
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date | None
    identifier: str
    group_id: int | None
    needs: list[str]
    staff: set[int]  # the users linked to them (any link, current or not: a link is never made twice)


@dataclass
class GroupHeld:
    pk: int
    name: str
    retired: bool


@dataclass
class Holding:
    """What the organisation holds that an import is matched against."""

    people: list[PersonHeld]
    groups: dict[str, GroupHeld]  # by the catalogue's same-name key (catalogue.rules.same_name_key)
    staff: dict[str, tuple[int, str]]  # e-mail (lower case) -> (user id, name), members who can be linked

    def __post_init__(self):
        self.by_identifier: dict[str, list[PersonHeld]] = {}
        self.by_name: dict[tuple, list[PersonHeld]] = {}
        for person in self.people:
            if person.identifier:
                self.by_identifier.setdefault(person.identifier.casefold(), []).append(person)
            key = (name_key(person.first_name), name_key(person.last_name), person.date_of_birth)
            self.by_name.setdefault(key, []).append(person)


# --- The plan ---------------------------------------------------------------------------------------------------

CREATE, UPDATE, SAME, REFUSE = "create", "update", "same", "refuse"


class PlanCounts:
    """What an import's plan says about its rows, whatever the rows are: `actions` lists what a row may do, the
    first two of which change something; the last is always REFUSE."""

    rows: list
    actions: tuple[str, ...]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def refused(self) -> int:
        return self.count(REFUSE)

    @property
    def will_change(self) -> bool:
        return any(row.action in self.actions[:2] for row in self.rows)


ACTION_WORDS = {CREATE: "Will be added", UPDATE: "Will be updated", SAME: "No change", REFUSE: "Refused"}


@dataclass
class RowPlan:
    line: int
    action: str = CREATE
    name: str = ""
    person_pk: int | None = None
    values: dict = field(default_factory=dict)  # the fields to set (create: all given; update: the changed ones)
    group_name: str = ""  # the class to put them in ("" for none given)
    new_staff: list[int] = field(default_factory=list)  # users to link
    new_staff_names: list[str] = field(default_factory=list)  # their names, as the preview shows them
    changes: list[str] = field(default_factory=list)  # what would change, in words
    reasons: list[str] = field(default_factory=list)  # why refused
    warnings: list[str] = field(default_factory=list)

    @property
    def action_words(self) -> str:
        return ACTION_WORDS[self.action]


@dataclass
class Plan(PlanCounts):
    rows: list[RowPlan]
    new_groups: list[str]  # classes the import adds, in the order first met

    actions = (CREATE, UPDATE, SAME, REFUSE)

    def digest(self) -> str:
        """A fingerprint of exactly what would be saved: confirming checks it is still the plan that was shown."""
        shown = [
            [
                row.line,
                row.action,
                row.person_pk,
                sorted((k, str(v)) for k, v in row.values.items()),
                row.group_name,
                sorted(row.new_staff),
                row.reasons,
            ]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps([shown, self.new_groups], sort_keys=True).encode()).hexdigest()[:32]


def _cell(cells: list[str], mapping: dict[str, int | None], key: str) -> str:
    index = mapping.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def plan_rows(
    rows: list[tuple[int, list[str]]], mapping: dict[str, int | None], holding: Holding, *, today: date
) -> Plan:
    plans = [_plan_row(line, cells, mapping, holding, today) for line, cells in rows]
    _refuse_repeats(plans)
    new_groups: list[str] = []
    seen_new: set = set()
    for row in plans:
        if row.action == REFUSE or not row.group_name:
            continue
        key = same_name_key(row.group_name)
        if key not in holding.groups and key not in seen_new:
            seen_new.add(key)
            new_groups.append(row.group_name)
    return Plan(rows=plans, new_groups=new_groups)


def _plan_row(line: int, cells: list[str], mapping, holding: Holding, today: date) -> RowPlan:
    row = RowPlan(line=line)
    raw = {key: _cell(cells, mapping, key) for key in COLUMN_KEYS}
    for column in COLUMNS:
        if is_formula(raw[column.key]):
            row.reasons.append(
                f"The {column.label.lower()} cell holds a formula ({raw[column.key][:40]}). Formulas are not run: "
                "please type the value itself."
            )
    if row.reasons:
        row.action = REFUSE
        row.name = f"{tidy(raw['first_name'])} {tidy(raw['last_name'])}".strip()
        return row
    first, last, preferred = tidy(raw["first_name"]), tidy(raw["last_name"]), tidy(raw["preferred_name"])
    identifier = tidy(raw["identifier"])
    row.name = f"{first} {last}".strip()
    if not first:
        row.reasons.append("The first name is missing.")
    if not last:
        row.reasons.append("The last name is missing.")
    for label, value in (("first name", first), ("last name", last), ("preferred name", preferred)):
        if len(value) > MAX_NAME:
            row.reasons.append(f"The {label} is longer than {MAX_NAME} characters.")
    if len(identifier) > MAX_IDENTIFIER:
        row.reasons.append(f"The identifier is longer than {MAX_IDENTIFIER} characters.")
    born, problem = parse_date(raw["date_of_birth"])
    if problem:
        row.reasons.append(f"Date of birth: {problem}")
    elif born and born > today:
        row.reasons.append(f"The date of birth, {born:%d/%m/%Y}, is in the future.")
    elif born and born < date(1900, 1, 1):
        row.reasons.append(f"The date of birth, {born:%d/%m/%Y}, is before 1900.")
    needs, unknown = parse_needs(raw["needs"])
    for word in unknown:
        row.warnings.append(f"“{word}” is not one of the needs Attunement records, so it is left out.")
    group_name = tidy(raw["group"])
    group = None
    if group_name:
        if len(group_name) > 200:
            row.reasons.append("The class name is longer than 200 characters.")
        key = same_name_key(group_name)
        group = holding.groups.get(key)
        if group is not None and group.retired:
            row.reasons.append(f"The class “{group.name}” is retired. Bring it back on the classes page first.")
        elif group is not None:
            group_name = group.name
    emails, bad = parse_emails(raw["key_staff"])
    for part in bad:
        row.warnings.append(f"“{part}” is not an e-mail address, so it is left out.")
    staff_ids = []
    for email in emails:
        member = holding.staff.get(email)
        if member is None:
            row.warnings.append(f"{email} is not a member yet, so they are not linked. Import again once they join.")
        else:
            staff_ids.append(member[0])
    if row.reasons:
        row.action = REFUSE
        return row

    person, problem = _match(holding, identifier=identifier, first=first, last=last, born=born)
    if problem:
        row.reasons.append(problem)
        row.action = REFUSE
        return row
    given = {
        "first_name": first,
        "last_name": last,
        "preferred_name": preferred,
        "date_of_birth": born,
        "identifier": identifier,
        "needs": needs,
    }
    row.group_name = group_name
    if person is None:
        row.action = CREATE
        row.values = {key: value for key, value in given.items() if value not in ("", None, [])}
        row.new_staff = sorted(set(staff_ids))
        row.new_staff_names = _names(holding, row.new_staff)
        return row
    row.person_pk = person.pk
    row.name = f"{person.first_name} {person.last_name}"
    for key, label in (
        ("first_name", "first name"),
        ("last_name", "last name"),
        ("preferred_name", "preferred name"),
        ("date_of_birth", "date of birth"),
        ("identifier", "identifier"),
    ):
        value, held = given[key], getattr(person, key)
        if key == "identifier" and value.casefold() == held.casefold():
            continue  # identifiers are matched ignoring case, so "a1" is the "A1" already held
        if value not in ("", None) and value != held:
            row.values[key] = value
            shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else value
            row.changes.append(f"{label} to {shown}")
    if needs and sorted(needs) != sorted(person.needs):
        row.values["needs"] = needs
        labels = dict(Need.choices)
        row.changes.append("needs to " + ", ".join(labels[code] for code in needs))
    if group_name and (group is None or group.pk != person.group_id):
        row.changes.append(f"class to {group_name}")
    else:
        row.group_name = ""
    row.new_staff = sorted(set(staff_ids) - person.staff)
    if row.new_staff:
        row.new_staff_names = _names(holding, row.new_staff)
        row.changes.append("linked to " + ", ".join(row.new_staff_names))
    row.action = UPDATE if (row.values or row.group_name or row.new_staff) else SAME
    return row


def _names(holding: Holding, user_ids: list[int]) -> list[str]:
    names = {user_id: name for user_id, name in holding.staff.values()}
    return [names[user_id] for user_id in user_ids]


def _match(holding: Holding, *, identifier: str, first: str, last: str, born) -> tuple[PersonHeld | None, str | None]:
    if identifier:
        found = holding.by_identifier.get(identifier.casefold(), [])
        if found:
            return found[0], None
    found = holding.by_name.get((name_key(first), name_key(last), born), [])
    if len(found) > 1:
        return None, f"{len(found)} people here already have this name and date of birth. Give each an identifier."
    if found:
        person = found[0]
        if identifier and person.identifier and person.identifier.casefold() != identifier.casefold():
            return None, (
                f"{person.first_name} {person.last_name} with this date of birth is already here with the "
                f"identifier “{person.identifier}”, not “{identifier}”. Please check which is right."
            )
        return person, None
    return None, None


def _refuse_repeats(plans: list[RowPlan]) -> None:
    """Two rows about the same person (the same identifier, the same person matched, or the same name and date
    of birth) are both refused: which one is right is for the person importing to say."""
    groups: dict[tuple, list[RowPlan]] = {}
    for row in plans:
        if row.action == REFUSE:
            continue
        keys = set()
        if row.person_pk is not None:
            keys.add(("person", row.person_pk))
        identifier = row.values.get("identifier")
        if identifier:
            keys.add(("identifier", identifier.casefold()))
        if row.action == CREATE:
            keys.add(
                (
                    "name",
                    name_key(row.values.get("first_name", "")),
                    name_key(row.values.get("last_name", "")),
                    row.values.get("date_of_birth"),
                )
            )
        for key in keys:
            groups.setdefault(key, []).append(row)
    repeated: dict[int, set[int]] = {}
    for rows in groups.values():
        if len(rows) > 1:
            for row in rows:
                repeated.setdefault(id(row), set()).update(other.line for other in rows if other is not row)
    for row in plans:
        others = repeated.get(id(row))
        if others:
            lines = ", ".join(str(line) for line in sorted(others))
            row.action = REFUSE
            row.reasons.append(f"The same person is also in row {lines}. Please keep one row for each person.")
