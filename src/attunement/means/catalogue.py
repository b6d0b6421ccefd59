"""The default training catalogue, copied into each organisation the first time the means are used.

It lives apart from services.py so that `selectors.courses` can make sure it exists before reading: the
one write a read does here, idempotent and safe from two requests at once.
"""

from attunement.organisations.models import Organisation

from .models import Course
from .vocabulary import DEFAULT_COURSES


def training_catalogue_setup(organisation: Organisation) -> None:
    """Give an organisation the default courses, once: nothing is added if it has any course at all.

    Safe to call on every visit and from two requests at once (conflicting names are skipped).
    """
    if Course.objects.filter(organisation=organisation).exists():
        return
    Course.objects.bulk_create(
        [
            Course(organisation=organisation, name=name, refresh_months=months, required=required, position=i)
            for i, (name, months, required) in enumerate(DEFAULT_COURSES)
        ],
        ignore_conflicts=True,
    )
