"""Every change to the ethogram and to coding passes. Each checks permission, explains bad input in plain
words (ValidationError), runs in one transaction (a large coding in several short ones, all or nothing) and
leaves an audit entry. Exports are audited too."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attunement.catalogue.defaults import add_defaults
from attunement.catalogue.rules import AuditActions, Catalogue, Words
from attunement.coding.boris import dumps_boris
from attunement.coding.csvio import dumps_csv
from attunement.coding.elan import dumps_eaf
from attunement.coding.exchange import extras_of, modifier_set_to_json, with_extras
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, CodingFormatError, UnpairedStates, join_modifiers
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Organisation
from attunement.organisations.spreadsheets import BOM
from attunement.practice.models import Session
from attunement.reflection.models import SessionVideo
from attunement.reflection.policies import video_policy
from attunement.reflection.uploads import CODING_FILE_SIZE
from attunement.reflection.video_services import time_in_video

from .importing import BORIS, CSV, ELAN, read_coding_file, read_ethogram_file
from .models import CodingEvent, CodingPass, EthogramCode, Kind, Source, Subject
from .modifiers import check as modifier_check
from .policies import coding_pass_policy, ethogram_policy
from .selectors import coding_of

# Keys the reflection player keeps for itself (see static/attunement/player.js): never a code's shortcut.
PLAYER_KEYS = frozenset(",.[]")
SOURCES = {BORIS: Source.BORIS, ELAN: Source.ELAN, CSV: Source.CSV}


# --- The ethogram ----------------------------------------------------------------------------------------


ETHOGRAM = Catalogue(
    EthogramCode,
    Words(
        thing="code", name_missing="Please describe the behaviour, for example “Learner smiles”.", name_is="description"
    ),
    policy=ethogram_policy,
    audit=AuditActions(
        added="ethogram_code.added",
        changed="ethogram_code.changed",
        retired="ethogram_code.retired",
        restored="ethogram_code.restored",
    ),
    edit_fields=("name", "shortcut"),
)


def default_ethogram_codes() -> list[dict]:
    """The Intensive Interaction ethogram as catalogue entries (see attunement.catalogue.defaults)."""
    return [
        {"key": code.key, "name": code.name, "subject": code.subject, "kind": code.kind, "shortcut": code.shortcut}
        for code in DEFAULT_ETHOGRAM.codes
    ]


def create_default_ethogram(organisation: Organisation) -> None:
    """Give a new organisation the Intensive Interaction ethogram (nothing if it has any code already)."""
    add_defaults(EthogramCode, organisation.pk, default_ethogram_codes())


def _shortcut_problem(
    organisation_id: int, shortcut: str, exclude_pk: int | None = None, in_use: bool = True
) -> str | None:
    """One key, not the shortcut of another code in use (retired codes may keep a clashing one)."""
    if len(shortcut) > 1:
        return "The shortcut must be a single key, for example “a”."
    if shortcut and (shortcut in PLAYER_KEYS or shortcut.isspace()):
        return f"The key “{shortcut}” works the video player. Please choose another."
    if shortcut and in_use:
        clash = (
            EthogramCode.objects.filter(organisation_id=organisation_id, shortcut=shortcut, retired_at__isnull=True)
            .exclude(pk=exclude_pk)
            .first()
        )
        if clash is not None:
            return f"The key “{shortcut}” is already the shortcut for {clash.name}."
    return None


def _tidy_shortcut(shortcut: str | None) -> str:
    return (shortcut or "").strip().lower()


def ethogram_code_add(
    *, actor: Membership, key: str, name: str, subject: str, kind: str, shortcut: str = ""
) -> EthogramCode:
    ETHOGRAM.require_manage(actor)  # before looking at the list for clashes
    key = (key or "").strip()
    shortcut = _tidy_shortcut(shortcut)
    errors = {}
    if not key:
        errors["key"] = "Please give the code a short key, for example “L-claps”."
    elif len(key) > 40 or any(c.isspace() or c == "|" for c in key):
        errors["key"] = "Please keep the key under 40 characters, without spaces or “|”."
    elif EthogramCode.objects.filter(organisation_id=actor.organisation_id, key__iexact=key).exists():
        errors["key"] = f"There is already a code with the key “{key}”. Keys are never reused, even when retired."
    if subject not in Subject.values:
        errors["subject"] = "Please choose who shows the behaviour."
    if kind not in Kind.values:
        errors["kind"] = "Please choose whether it is a moment or lasts a while."
    if problem := _shortcut_problem(actor.organisation_id, shortcut):
        errors["shortcut"] = problem
    return ETHOGRAM.add(actor=actor, name=name, errors=errors, key=key, subject=subject, kind=kind, shortcut=shortcut)


@dataclass(frozen=True)
class EthogramImported:
    added: list[EthogramCode]
    not_added: list[str]  # plain-words reasons, one per behaviour left out


def ethogram_import(*, actor: Membership, data: bytes, subject: str) -> EthogramImported:
    """Add the behaviours of a BORIS project (an ethogram-only file or a whole project) to the organisation's
    ethogram: key, description, kind, shortcut key and modifier sets (kept as pick-lists). `subject` says who
    shows them, since BORIS subjects are not learner or partner. A behaviour whose key is already in the ethogram,
    or cannot be a key here, is left out and said so; a shortcut key already taken is left blank."""
    ETHOGRAM.require_manage(actor)
    CODING_FILE_SIZE.check(len(data), field="file")
    if subject not in Subject.values:
        raise ValidationError({"subject": "Please choose who shows these behaviours."})
    try:
        ethogram = read_ethogram_file(data)
    except CodingFormatError as error:
        raise ValidationError({"file": f"Nothing was added: {error.message}"}) from None
    if not ethogram.codes:
        raise ValidationError({"file": "Nothing was added: the file's ethogram has no behaviours."})
    added: list[EthogramCode] = []
    not_added: list[str] = []
    with transaction.atomic():
        for code in ethogram.codes:
            key = code.key.strip()
            if len(key) > 40 or any(c.isspace() or c == "|" for c in key):
                not_added.append(f"“{code.key}”: a key here is under 40 characters, without spaces or “|”.")
                continue
            if EthogramCode.objects.filter(organisation_id=actor.organisation_id, key__iexact=key).exists():
                not_added.append(f"“{code.key}”: the ethogram already has this key.")
                continue
            shortcut = _tidy_shortcut(code.shortcut)
            if _shortcut_problem(actor.organisation_id, shortcut):
                shortcut = ""
            try:
                with transaction.atomic():
                    entry = ETHOGRAM.add(
                        actor=actor,
                        name=(code.name or key)[:120],
                        key=key,
                        subject=subject,
                        kind=code.kind,
                        shortcut=shortcut,
                        modifier_sets=[modifier_set_to_json(group) for group in code.modifier_sets],
                    )
            except ValidationError as error:
                not_added.append(f"“{code.key}”: " + " ".join(error.messages))
                continue
            added.append(entry)
    return EthogramImported(added, not_added)


def ethogram_code_edit_token(code: EthogramCode) -> str:
    return ETHOGRAM.edit_token(code)


def ethogram_code_change(
    *, actor: Membership, code: EthogramCode, name: str, shortcut: str, version: str | None = None
) -> EthogramCode:
    """Rename a code or change its shortcut. The key stays, so past codings keep their meaning. `version` is
    the edit token from when the form was drawn (see attunement.edits)."""
    shortcut = _tidy_shortcut(shortcut)

    def shortcut_errors(current: EthogramCode) -> dict[str, str]:
        # A retired code may keep a key another code now uses; it is checked again when it comes back.
        problem = _shortcut_problem(current.organisation_id, shortcut, current.pk, in_use=not current.is_retired)
        return {"shortcut": problem} if problem else {}

    return ETHOGRAM.change(
        actor=actor, entry=code, version=version, what="this code", name=name, check=shortcut_errors, shortcut=shortcut
    )


def ethogram_code_set_retired(*, actor: Membership, code: EthogramCode, retired: bool) -> EthogramCode:
    """Retiring takes a code out of new codings; codings that used it keep it."""

    def restore_problem(current: EthogramCode) -> str | None:
        if current.shortcut and _shortcut_problem(current.organisation_id, current.shortcut, exclude_pk=current.pk):
            return (
                f"“{current.name}” cannot come back with the shortcut “{current.shortcut}”: another code uses it "
                "now. Change one of the two shortcuts first."
            )
        return None

    return ETHOGRAM.set_retired(actor=actor, entry=code, retired=retired, restore_problem=restore_problem)


# --- Coding passes ---------------------------------------------------------------------------------------


def _require_record(actor: Membership, session: Session) -> None:
    learner_policy.require(actor, "record_session", session.learner)


# A large import is written a batch at a time, each batch in its own short transaction, so that the
# database's single write lock is never held for long and other people's saves go on meanwhile.
EVENTS_PER_TRANSACTION = 2000


def _let_others_write() -> None:
    # A writer waiting for SQLite's lock looks again at most every 100 ms (its busy handler's longest sleep), so
    # a pause this long lets every waiting save in between two batches instead of the import taking the lock
    # straight back. It adds about 2 s to a 40,000-event import.
    time.sleep(0.1)


def coding_pass_save(*, actor: Membership, session: Session, coding: Coding, source: str, title: str) -> CodingPass:
    """Store a coding as a new pass of the session, events exactly as coded (codes kept by their key).

    All or nothing: if any batch fails, the pass and the events already written are removed again."""
    _require_record(actor, session)
    if source not in Source.values:
        raise ValidationError("Unknown source of the coding.")
    title = " ".join((title or "").split())[:200] or "Coding"
    too_long = next((e for e in coding.events if len(e.code) > 200 or len(e.subject) > 200), None)
    if too_long is not None:
        raise ValidationError("A code or subject in this coding is longer than 200 characters, which we cannot store.")
    events = [
        CodingEvent(
            time=e.time,
            end=e.end,
            code=e.code,
            subject=e.subject,
            modifiers=join_modifiers(e.modifiers),
            comment=e.comment,
        )
        for e in coding.events
    ]
    batches = [events[i : i + EVENTS_PER_TRANSACTION] for i in range(0, len(events), EVENTS_PER_TRANSACTION)] or [[]]
    coding_pass = None
    try:
        for number, batch in enumerate(batches):
            with transaction.atomic():
                last = number == len(batches) - 1
                if coding_pass is None:
                    coding_pass = CodingPass.objects.create(
                        session=session,
                        coder=actor.user,
                        title=title,
                        source=source,
                        media_duration=coding.media_duration,
                        complete=last,
                        exchange=extras_of(coding),
                    )
                for event in batch:
                    event.coding_pass = coding_pass
                CodingEvent.objects.bulk_create(batch, batch_size=500)
                if last:
                    if not coding_pass.complete:
                        CodingPass.objects.filter(pk=coding_pass.pk).update(complete=True)
                        coding_pass.complete = True
                    audit_record(actor=actor, action="coding_pass.created", learner=session.learner, target=coding_pass)
            if number < len(batches) - 1:
                _let_others_write()
    except BaseException:
        if coding_pass is not None and coding_pass.pk is not None:
            with transaction.atomic():
                CodingPass.objects.filter(pk=coding_pass.pk).delete()
        raise
    return coding_pass


ABANDONED_IMPORT_AFTER = timedelta(hours=1)


def abandoned_imports_remove() -> int:
    """Remove passes whose import stopped part-way with no chance to tidy up (the server was killed, say).
    Nobody has seen them: passes are hidden until their last batch is written. Run by the worker's housekeeping."""
    stale = CodingPass.objects.filter(complete=False, created_at__lt=timezone.now() - ABANDONED_IMPORT_AFTER)
    removed = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            CodingEvent.objects.filter(coding_pass_id=pk).delete()
            CodingPass.objects.filter(pk=pk, complete=False).delete()
        removed += 1
    return removed


@dataclass(frozen=True)
class Imported:
    coding_pass: CodingPass
    note: str  # what the person should know, in plain words ("" when nothing to add)


def coding_pass_import(
    *, actor: Membership, session: Session, data: bytes, filename: str = "", title: str = "", observation: str = ""
) -> Imported:
    """Read an uploaded BORIS, ELAN or CSV file (recognised by content) and save it as a new pass.

    A BORIS file may hold several observations: the one named `observation`, or else the first, is
    imported. A malformed file saves nothing and raises ValidationError with the reason."""
    _require_record(actor, session)
    CODING_FILE_SIZE.check(len(data), field="file")
    try:
        read = read_coding_file(data)
    except CodingFormatError as error:
        raise ValidationError({"file": f"Nothing was imported: {error.message}"}) from None
    names = list(read.codings)
    observation = (observation or "").strip()
    note = ""
    if observation and read.format != BORIS:
        raise ValidationError({"observation": "Only BORIS files hold several observations; leave this empty."})
    if observation:
        if observation not in read.codings:
            raise ValidationError(
                {
                    "observation": f"The file has no observation called “{observation}”. It has: "
                    + "; ".join(f"“{n}”" for n in names)
                    + "."
                }
            )
        chosen = observation
    else:
        chosen = names[0]
        if len(names) > 1:
            others = "; ".join(f"“{n}”" for n in names[1:])
            note = (
                f"The file holds {len(names)} observations; the first, “{chosen}”, was imported. "
                f"To import another ({others}), upload the file again and name the observation."
            )
    coding = read.codings[chosen]
    source = SOURCES[read.format]
    title = title or chosen or coding.title or filename or Source(source).label
    coding_pass = coding_pass_save(actor=actor, session=session, coding=coding, source=source, title=title)
    return Imported(coding_pass, note)


@transaction.atomic
def coding_pass_map_subjects(
    *, actor: Membership, coding_pass: CodingPass, learner: str | None, partner: str | None
) -> CodingPass:
    """Remember which of the coding's subjects (BORIS subjects, ELAN participants; "" for events with no subject)
    are the learner and the partner, so that its turns are counted between them whenever it is shown. Both None
    forgets the choice. Two different subjects of the coding, or nothing is changed."""
    _require_record(actor, coding_pass.session)
    coding_pass = CodingPass.objects.select_for_update().get(pk=coding_pass.pk)
    if (learner is None) != (partner is None):
        raise ValidationError("Please choose both the learner and the partner, or neither.")
    if learner is not None:
        subjects = set(CodingEvent.objects.filter(coding_pass=coding_pass).values_list("subject", flat=True))
        if learner not in subjects or partner not in subjects:
            raise ValidationError("Please choose people who are in this coding.")
        if learner == partner:
            raise ValidationError("Please choose two different people: one learner and one partner.")
    before = dict(zip(("learner", "partner"), coding_pass.saved_turn_subjects, strict=True))
    after = {"learner": learner, "partner": partner}
    if before == after:
        return coding_pass
    coding_pass.turns_chosen = learner is not None
    coding_pass.learner_subject, coding_pass.partner_subject = learner or "", partner or ""
    coding_pass.save(update_fields=["turns_chosen", "learner_subject", "partner_subject"])
    audit_record(
        actor=actor,
        action="coding_pass.changed",
        learner=coding_pass.session.learner,
        target=coding_pass,
        detail={"before": before, "after": after},
    )
    return coding_pass


@transaction.atomic
def coding_pass_delete(*, actor: Membership, coding_pass: CodingPass) -> None:
    coding_pass_policy.require(actor, "delete", coding_pass, message="Only the person who made a coding can delete it.")
    learner = coding_pass.session.learner
    audit_record(actor=actor, action="coding_pass.deleted", learner=learner, target=coding_pass)
    coding_pass.delete()


EXPORTS = {
    "boris": (dumps_boris, "boris", "application/json"),
    "eaf": (dumps_eaf, "eaf", "application/xml"),
    "csv": (dumps_csv, "csv", "text/csv"),
}


def coding_for_export(coding_pass: CodingPass) -> Coding:
    """The pass as a Coding with what a file needs besides events: an imported pass gets back what its file
    held (whole ethogram, media names, ELAN hierarchy and vocabularies, BORIS settings); a pass coded here gets
    the organisation's whole ethogram (modifier pick-lists included) and the video's file name."""
    coding = coding_of(coding_pass)
    if coding_pass.exchange:
        return with_extras(coding, coding_pass.exchange)
    organisation = coding_pass.session.learner.organisation
    codes = []
    for row in EthogramCode.objects.filter(organisation=organisation).order_by("position", "pk"):
        used = coding.ethogram.get(row.key)
        if row.is_retired and used is None:
            continue
        codes.append(
            {
                "key": row.key,
                "name": row.name,
                "subject": row.subject,
                "kind": used.kind if used else row.kind,
                "shortcut": row.shortcut,
                "modifier_sets": row.modifier_sets or [],
            }
        )
    media = [coding_pass.video.original_name] if coding_pass.video and coding_pass.video.original_name else []
    return with_extras(coding, {"ethogram": codes, "media": media, "details": {}})


@dataclass(frozen=True)
class Exported:
    filename: str
    content_type: str
    content: str


def coding_pass_export(
    *, actor: Membership, coding_pass: CodingPass, format: str, leave_out_unpaired: bool = False
) -> Exported:
    """The pass as a BORIS project, an ELAN file or CSV. Some codings cannot be written in some formats
    (overlapping states for BORIS): ValidationError says so. A state started and never stopped (UNPAIRED) stays
    open in BORIS and CSV files; an ELAN annotation needs an end, so the ELAN file is refused (ValidationError
    with code "unpaired", naming them) unless `leave_out_unpaired`, when they are left out and listed in the file's
    attunement:unpaired property (and the audit entry says how many)."""
    coding_pass_policy.require(actor, "view", coding_pass)
    if format not in EXPORTS:
        raise ValidationError("Please choose BORIS, ELAN or CSV.")
    dumps, suffix, content_type = EXPORTS[format]
    coding = coding_for_export(coding_pass)
    left_out = len(coding.unpaired) if format == "eaf" and leave_out_unpaired else 0
    try:
        content = dumps_eaf(coding, leave_out_unpaired=leave_out_unpaired) if format == "eaf" else dumps(coding)
    except UnpairedStates as error:
        raise ValidationError(error.message, code="unpaired") from None
    except CodingFormatError as error:
        raise ValidationError(f"This coding cannot be written in that format: {error.message}") from None
    if format == "csv":  # the byte-order mark lets Excel on Windows read the file as UTF-8 (our importer skips it)
        content = BOM + content
    detail = {"report": "coding", "title": coding_pass.title, "format": format}
    if left_out:
        detail["states_never_stopped_left_out"] = left_out
    with transaction.atomic():  # only the audit entry: the file above is written before any transaction
        audit_record(
            actor=actor,
            action=f"coding_pass.exported_{format}",
            learner=coding_pass.session.learner,
            target=coding_pass,
            detail=detail,
        )
    return Exported(f"coding-{coding_pass.pk}.{suffix}", content_type, content)


# --- Coding in the browser -------------------------------------------------------------------------------


def _browser_pass(actor: Membership, video: SessionVideo) -> CodingPass:
    coding_pass = CodingPass.objects.filter(video=video, coder=actor.user, source=Source.ENTERED).order_by("pk").first()
    if coding_pass is None:
        name = actor.user.get_full_name() or actor.user.email
        coding_pass = CodingPass.objects.create(
            session=video.session,
            coder=actor.user,
            title=f"{name}'s coding of the video",
            source=Source.ENTERED,
            media_duration=video.duration,
            video=video,
        )
        audit_record(actor=actor, action="coding_pass.created", learner=video.learner, target=coding_pass)
    return coding_pass


@transaction.atomic
def event_code(
    *, actor: Membership, video: SessionVideo, code_key: str, time, end=None, modifiers: str = ""
) -> CodingEvent:
    """Add one coded event to the actor's own coding of this video (started on the first event)."""
    if not video_policy.may_code(actor, video):
        raise PermissionDenied("Your role does not allow coding this person's sessions.")
    code = EthogramCode.objects.filter(
        organisation_id=actor.organisation_id, key=code_key, retired_at__isnull=True
    ).first()
    if code is None:
        raise ValidationError({"code": "That code is not in your organisation's ethogram."})
    start = time_in_video(video, time)
    finish = None
    if code.kind == Kind.STATE:
        if end in (None, ""):
            raise ValidationError({"end": f"“{code.name}” lasts a while: please mark where it stops."})
        finish = time_in_video(video, end, "end")
        if finish < start:
            raise ValidationError({"end": "It stops before it starts. Please check the times."})
    try:  # values are kept exactly as the ethogram has them, spaces included, as BORIS does
        modifiers = modifier_check(code.name, code.modifier_sets, modifiers or "")
    except ValueError as problem:
        raise ValidationError({"modifiers": str(problem)}) from None
    coding_pass = _browser_pass(actor, video)
    return CodingEvent.objects.create(
        coding_pass=coding_pass, time=start, end=finish, code=code.key, subject=code.subject, modifiers=modifiers
    )


@transaction.atomic
def event_remove(*, actor: Membership, event: CodingEvent) -> None:
    coding_pass = event.coding_pass
    if coding_pass.coder_id != actor.user_id or coding_pass.source != Source.ENTERED:
        raise PermissionDenied("Only the person who coded an event can remove it.")
    event.delete()
