from django.db.models import QuerySet

from .models import Membership


def memberships_of(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "site")
        .order_by("organisation__name")
    )


def staff_of(organisation) -> QuerySet:
    from django.contrib.auth import get_user_model

    from .policies import STAFF_ROLES

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__role__in=STAFF_ROLES,
        )
        .order_by("first_name", "last_name")
        .distinct()
    )
