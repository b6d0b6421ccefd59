"""Audit entries in plain words: "report.read" with detail {"title": "For the family", "format": "pdf"} reads as
"looked at: report (For the family, as a PDF)", and a change lists what it was before and after.

Every action code the app writes must have its words here (VERBS for the part after the dot, THINGS for the part
before it): tests/organisations/test_audit_trail_dpo.py finds every code in the source and fails on a missing one.
"""

from django import template

register = template.Library()

VERBS = {
    "read": "looked at",
    "created": "added",
    "changed": "changed",
    "change": "changed",
    "added": "added",
    "renamed": "renamed",
    "retired": "retired",
    "restored": "brought back",
    "reworded": "reworded",
    "settings_changed": "changed settings",
    "recorded": "recorded",
    "withdrawn": "withdrew",
    "withdraw": "withdrew",
    "placed": "placed",
    "lifted": "lifted",
    "subject_access_exported": "exported everything held about",
    "erased": "erased",
    "person_deleted": "deleted at the end of retention",
    "media_cleanup_checked": "checked media after withdrawal",
    "applied": "applied",
    "appointed": "named",
    "stood_down": "stood down",
    "done": "marked done",
    "reopened": "reopened",
    "submitted": "answered",
    "replaced": "answered again",
    "deleted": "deleted",
    "removed": "removed",
    "uploaded": "uploaded",
    "shared": "shared with a colleague",
    "unshared": "stopped sharing",
    "team_shared": "shared with the team",
    "retried": "tried again",
    "requested": "asked for",
    "speaker_corrected": "corrected who made each sound",
    "chosen": "chose as the run that counts",
    "original_downloaded": "downloaded the original",
    "ended": "ended",
    "exported": "downloaded",
    "exported_csv": "downloaded as CSV",
    "exported_boris": "downloaded for BORIS",
    "exported_eaf": "downloaded for ELAN",
    "released": "released",
    "reviewed": "reviewed",
    "request": "sent a request to",
    "revoked": "revoked",
    "invited": "sent an invitation",
    "invitation_sent_again": "sent the invitation again",
    "invitation_withdrawn": "withdrew the invitation",
    "joined": "joined by invitation",
    "access_ended": "ended the access",
    "preferences_changed": "changed",
    "unsubscribed": "stopped the daily e-mail",
}

THINGS = {
    "agreed_action": "agreed action",
    "api": "the API",
    "api_key": "API key",
    "assignment": "staff assignment",
    "assignments": "staff who work with the person",
    "audit_trail": "audit trail",
    "carer_report": "report for carers",
    "case_study": "anonymised case study",
    "case_study_review": "case study check",
    "champion": "practice champion",
    "clip": "library clip",
    "coding": "video coding",
    "coding_agreement": "agreement between two codings",
    "coding_export": "coding download page",
    "coding_import": "coding import page",
    "coding_pass": "video coding",
    "codings": "video codings",
    "commissioners_report": "report for commissioners",
    "consent": "consent",
    "consent_form": "consent form",
    "consents": "consent and privacy page",
    "course": "training course",
    "dashboard": "dashboard",
    "details": "person's details",
    "erase_form": "erase page",
    "ethogram_code": "coding scheme code",
    "export": "subject access export page",
    "family_feedback": "family feedback",
    "family_portal": "family page",
    "feedback_form": "family feedback form",
    "funders_report": "report for funders",
    "fundamental": "Fundamental",
    "group": "class or group",
    "people_import": "import of people from a spreadsheet",
    "staff_import": "import of staff from a spreadsheet",
    "home_note_form": "note from home form",
    "home_observation": "note from home",
    "inspectors_report": "report for inspectors",
    "learner": "person's record",
    "legal_hold": "legal hold",
    "legal_holds": "legal holds",
    "log_form": "quick log form",
    "management_report": "report for managers and trustees",
    "member": "membership",
    "notifications": "notification choices",
    "organisation": "organisation",
    "organisation_summary": "organisation summary",
    "photo": "photo",
    "plan": "plan",
    "plan_form": "plan form",
    "plans": "plans and outcomes",
    "practice_report": "My practice report",
    "profile": "communication profile",
    "progress": "progress",
    "report": "report",
    "reports": "list of reports",
    "retention": "retention",
    "review": "progress review",
    "scale": "progress scale",
    "self_report": "how I feel (staff self-report)",
    "session": "session",
    "single_sign_on": "single sign-on",
    "sessions_export": "spreadsheet of every session",
    "session_media": "photo, voice note or clip of a session",
    "supervision_meeting": "supervision meeting",
    "term_start": "term start date",
    "therapist_report": "report for therapists",
    "timeline": "timeline",
    "training": "training",
    "training_certificate": "training certificate",
    "video": "video",
    "video_add": "add a video page",
    "video_analysis": "video measurement",
    "video_comment": "video comment",
    "video_events": "video's coded events",
    "video_file": "video",
    "video_poster": "video's still picture",
    "video_status": "video's progress",
}

# A session's photo, voice note or clip is named by its kind (the entry's detail), so "session_media.deleted" with
# {"kind": "photo"} reads as "deleted: photo of a session".
SESSION_MEDIA_KINDS = {"photo": "photo", "audio": "voice note", "clip": "short clip"}

FORMATS = {
    "web": "on screen",
    "pdf": "as a PDF",
    "csv": "as a CSV spreadsheet",
    "xlsx": "as an Excel spreadsheet",
    "boris": "as a BORIS file",
    "eaf": "as an ELAN file",
    "api": "through the API",
}


def _plain(code: str) -> str:
    return code.replace("_", " ")


def _media_kind(action: str, detail) -> str | None:
    if action.rpartition(".")[0] != "session_media" or not isinstance(detail, dict):
        return None
    return SESSION_MEDIA_KINDS.get(detail.get("kind"))


@register.filter
def audit_words(action: str, detail=None) -> str:
    """“session.read” reads as “looked at: session”; given the entry's detail, a session's photo, voice note or
    clip is named by its kind (“deleted: photo of a session”)."""
    thing, _, verb = action.rpartition(".")
    if not thing:
        return action
    kind = _media_kind(action, detail)
    what = f"{kind} of a session" if kind else THINGS.get(thing, _plain(thing))
    return f"{VERBS.get(verb, _plain(verb))}: {what}"


def _value(value) -> str:
    if value in (None, "", [], {}):
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_plain(str(k))}: {_value(v)}" for k, v in value.items())
    return str(value)


def detail_lines(detail, action: str = "") -> list[str]:
    """The entry's detail as short sentences: which report and format, what changed from what to what, why.
    A media kind already named by the action's words (see `audit_words`) is not said again."""
    if not isinstance(detail, dict) or not detail:
        return []
    lines = []
    rest = dict(detail)
    if _media_kind(action, detail):
        rest.pop("kind")
    title, fmt = rest.pop("title", None), rest.pop("format", None)
    report = rest.pop("report", None)
    if title or report or fmt:
        name = title or (_plain(report) if report else "")
        words = FORMATS.get(fmt, f"as {fmt}" if fmt else "")
        lines.append(" ".join(part for part in (f"“{name}”" if name else "", words) if part))
    before, after = rest.pop("before", None), rest.pop("after", None)
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        for field in [*before, *(k for k in after if k not in before)]:
            lines.append(f"{_plain(str(field))}: {_value(before.get(field))} → {_value(after.get(field))}")
    reason = rest.pop("reason", None)
    if reason:
        lines.append(f"Reason given: {reason}")
    for key, value in rest.items():
        lines.append(f"{_plain(str(key)).capitalize()}: {_value(value)}")
    return lines


@register.filter
def audit_detail(detail, action: str = "") -> list[str]:
    return detail_lines(detail, action)


def describe(action: str, detail) -> str:
    """One line for a spreadsheet: the words for the action, then its detail."""
    lines = detail_lines(detail, action)
    return audit_words(action, detail) + (f" ({'; '.join(lines)})" if lines else "")


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
