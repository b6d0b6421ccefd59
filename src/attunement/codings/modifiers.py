"""A code's modifier pick-lists as the player offers them, and the check of what the player sends back.

An event's modifiers are written as BORIS writes them: one entry per modifier set of the code, in the sets'
order, joined with "|"; the entry is the value chosen, several values of a set that allows more than one are
joined with ",", and a set left without a choice is "None". A value written in the ethogram as
``"smiles broadly (b)"`` is chosen with the key ``b`` and saved as ``"smiles broadly"`` (BORIS's way of giving
a value a shortcut key). A set with no values (BORIS's free-text and number sets) takes any short text.
"""

from __future__ import annotations

import re

from attunement.coding.model import MODIFIER_SEPARATOR

NONE = "None"  # BORIS's word for a set left without a choice
SEVERAL = ","  # between values chosen from one set that allows several
MAX_LENGTH = 200
_KEYED = re.compile(r"^(.*?) \(([^()]+)\)$", re.DOTALL)


def choice_of(value: str) -> tuple[str, str]:
    """(the value as saved, its key or ""): ``"smiles (s)"`` gives ``("smiles", "s")``."""
    match = _KEYED.match(value)
    if match:
        return match.group(1), match.group(2) if len(match.group(2)) == 1 else ""
    return value, ""


def player_sets(modifier_sets) -> list[dict]:
    """The sets as the player shows them: name, whether several may be chosen, and each choice's value and key."""
    sets = []
    for group in modifier_sets or []:
        choices = []
        for raw in group.get("values") or []:
            value, key = choice_of(str(raw))
            if value not in (c["value"] for c in choices):
                choices.append({"value": value, "key": key})
        sets.append(
            {
                "name": str(group.get("name") or "") or "Modifier",
                "multiple": bool(group.get("multiple")),
                "description": str(group.get("description") or ""),
                "choices": choices,
            }
        )
    return sets


def check(name: str, modifier_sets, text: str) -> str:
    """The modifiers to save for an event of the code called `name`, or ValueError with a plain message.

    "" (nothing chosen) is always accepted; otherwise there is one entry per set, each "None", a value of its
    set (several values joined with "," for a set that allows them), or for a set without values any short
    text."""
    if not text:
        return ""
    sets = player_sets(modifier_sets)
    if not sets:
        raise ValueError(f"“{name}” has no modifiers to choose from: nothing was saved.")
    if len(text) > MAX_LENGTH or "\n" in text or "\r" in text:
        raise ValueError("Please keep modifiers to one line under 200 characters.")
    entries = text.split(MODIFIER_SEPARATOR)
    if len(entries) != len(sets):
        raise ValueError(
            f"“{name}” has {len(sets)} modifier list{'s' if len(sets) != 1 else ''}: please choose from "
            f"{'each' if len(sets) != 1 else 'it'} (or none). Nothing was saved."
        )
    for entry, group in zip(entries, sets, strict=True):
        allowed = [c["value"] for c in group["choices"]]
        if entry == NONE or not allowed:
            continue
        chosen = entry.split(SEVERAL) if group["multiple"] else [entry]
        wrong = [v for v in chosen if v not in allowed]
        if wrong or len(set(chosen)) != len(chosen):
            shown = "”, “".join(allowed)
            raise ValueError(
                f"“{wrong[0] if wrong else entry}” is not one of the choices for {group['name']} "
                f"(“{shown}”). Nothing was saved."
            )
    return text
