"""What a coding carries from one tool to another besides its events, as plain JSON data.

:func:`extras_of` takes from a :class:`Coding` its whole ethogram (used codes or not, with names, shortcuts and
modifier sets), its media files and the format details an importer kept (:attr:`Coding.details`);
:func:`with_extras` puts them back on a coding rebuilt from stored events, so that an exported file holds what
the imported one did.
"""

from __future__ import annotations

from dataclasses import replace

from attunement.coding.model import Code, Coding, CodingFormatError, Ethogram, ModifierSet


def modifier_set_to_json(group: ModifierSet) -> dict:
    return {
        "name": group.name,
        "values": list(group.values),
        "multiple": group.multiple,
        "description": group.description,
    }


def modifier_set_from_json(item) -> ModifierSet:
    if not isinstance(item, dict) or not isinstance(item.get("values", []), list):
        raise CodingFormatError("A modifier set is malformed.")
    return ModifierSet(
        name=str(item.get("name", "")),
        values=tuple(str(v) for v in item.get("values", [])),
        multiple=bool(item.get("multiple", False)),
        description=str(item.get("description", "")),
    )


def code_to_json(code: Code) -> dict:
    return {
        "key": code.key,
        "name": code.name,
        "subject": code.subject,
        "kind": code.kind,
        "modifiers": list(code.modifiers),
        "shortcut": code.shortcut,
        "modifier_sets": [modifier_set_to_json(g) for g in code.modifier_sets],
    }


def code_from_json(item) -> Code:
    if not isinstance(item, dict):
        raise CodingFormatError("A stored code is malformed.")
    try:
        return Code(
            key=item["key"],
            name=item["name"],
            subject=item.get("subject", ""),
            kind=item.get("kind", "point"),
            modifiers=tuple(item.get("modifiers", ())),
            shortcut=item.get("shortcut", ""),
            modifier_sets=tuple(modifier_set_from_json(g) for g in item.get("modifier_sets", ())),
        )
    except (KeyError, TypeError):
        raise CodingFormatError("A stored code is malformed.") from None


def ethogram_to_json(ethogram: Ethogram) -> list[dict]:
    return [code_to_json(code) for code in ethogram.codes]


def ethogram_from_json(items) -> Ethogram:
    if not isinstance(items, list):
        raise CodingFormatError("A stored ethogram is malformed.")
    return Ethogram(tuple(code_from_json(item) for item in items))


def extras_of(coding: Coding) -> dict:
    """The coding's ethogram, media and format details as JSON data (see the module docstring)."""
    return {"ethogram": ethogram_to_json(coding.ethogram), "media": list(coding.media), "details": coding.details}


def with_extras(coding: Coding, extras: dict | None) -> Coding:
    """``coding`` with the ethogram, media and details of ``extras`` (from :func:`extras_of`) put back.

    The stored ethogram comes first, in its order, each code as it was; codes the events use that it lacks
    follow as ``coding`` has them. Kinds stay those of ``coding`` when they differ, since its events decide."""
    if not extras:
        return coding
    stored = ethogram_from_json(extras.get("ethogram") or [])
    codes = []
    for code in stored.codes:
        ours = coding.ethogram.get(code.key)
        codes.append(code if ours is None or ours.kind == code.kind else replace(code, kind=ours.kind))
    codes.extend(code for code in coding.ethogram.codes if stored.get(code.key) is None)
    return replace(
        coding,
        ethogram=Ethogram(tuple(codes)),
        media=tuple(coding.media or extras.get("media") or ()),
        details=dict(extras.get("details") or {}),
    )
