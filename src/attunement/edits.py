"""Noticing that someone else saved a shared record while you were editing it (two tabs, two people).

A form carries an edit token: a fingerprint of the record's saved values when the form was drawn. The service
that saves it takes the record's row lock, works out the fingerprint of what is saved now and, if the two
differ, refuses with :class:`EditConflict`: someone else saved first, and their work is kept. The page is then
drawn again with the person's own text still in the form and the new token, so saving again is a choice made
knowing what the other person saved.

The person's details and communication profile use a version number instead; a fingerprint needs no extra
column, and covers a record made of several rows (a plan and its outcomes, the levels of a scale) the same way.
"""

import hashlib
import json

from django.core.exceptions import ValidationError


class EditConflict(ValidationError):
    """Someone else saved this record after the form was opened; nothing was overwritten."""


def edit_token(*values) -> str:
    """A short fingerprint of a record's saved values (any mix of text, numbers, dates, lists)."""
    text = json.dumps(values, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def require_unchanged(given: str | None, current: str, what: str) -> None:
    """Raise EditConflict unless the form was opened on what is saved now. `what` names the record ("this plan")."""
    if given is not None and given != current:
        raise EditConflict(
            f"Someone else saved {what} while you were editing it, so your changes were not saved. What you "
            "typed is still in the form, and the page shows what they saved. Check theirs, then save "
            "again if yours should replace it."
        )


def with_token(data, token: str, defaults: dict | None = None, field: str = "version"):
    """A copy of posted form data carrying the new edit token, to draw the form again after a clash. Fields the
    post did not have (something the other person added) take `defaults`, so saving again does not undo them."""
    data = data.copy()
    for name, value in (defaults or {}).items():
        if name not in data:
            data[name] = value
    data[field] = token
    return data
