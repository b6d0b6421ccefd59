"""Putting an organisation's default entries in, at set-up and from data migrations.

Only the model's manager is used, so a migration can pass its historical model.
"""

from collections.abc import Callable, Iterable, Mapping

from django.db import migrations


def add_defaults(model, organisation_id: int, entries: Iterable[Mapping]) -> bool:
    """Give the organisation these entries, in this order, if its list has no entry at all (even a retired one):
    a list someone has already renamed, retired or added to is theirs and is left as it is.
    Returns whether anything was added."""
    if model.objects.filter(organisation_id=organisation_id).exists():
        return False
    model.objects.bulk_create(
        model(organisation_id=organisation_id, position=position, **entry)
        for position, entry in enumerate(entries, start=1)
    )
    return True


def add_defaults_to_every_organisation(model: str, entries: Callable[[], Iterable[Mapping]]) -> migrations.RunPython:
    """A data migration's operation: every organisation whose list of `model` ("practice.Fundamental") is empty
    gets `entries()`. Undoing it removes nothing."""

    def forwards(apps, schema_editor):
        Organisation = apps.get_model("organisations", "Organisation")
        catalogue = apps.get_model(model)
        for organisation_id in Organisation.objects.values_list("pk", flat=True):
            add_defaults(catalogue, organisation_id, entries())

    return migrations.RunPython(forwards, migrations.RunPython.noop)
