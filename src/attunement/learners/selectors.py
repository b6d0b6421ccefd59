from django.db.models import QuerySet

from attunement.organisations.models import Membership

from .models import Learner
from .policies import learner_policy


def learners_visible_to(actor: Membership | None) -> QuerySet[Learner]:
    if actor is None:
        return Learner.objects.none()
    return learner_policy.scope(actor)


def learner_list(*, actor: Membership, search: str = "", include_inactive: bool = False) -> QuerySet[Learner]:
    learners = learners_visible_to(actor).select_related("site")
    if not include_inactive:
        learners = learners.filter(is_active=True)
    if search:
        from django.db.models import Q

        learners = learners.filter(
            Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(preferred_name__icontains=search)
        )
    return learners.order_by("first_name", "last_name")


def learner_get(*, actor: Membership, learner_id: int) -> Learner:
    """The learner if the actor may see them; raises Learner.DoesNotExist otherwise (shown as 404)."""
    return learners_visible_to(actor).select_related("organisation", "site").get(pk=learner_id)


def assignments_of(*, learner: Learner) -> list[dict]:
    """Everyone linked to a person, with their role and whether their access is current, ended or not yet begun."""
    from django.utils import timezone

    today = timezone.localdate()
    roles = dict(Membership.objects.filter(organisation_id=learner.organisation_id).values_list("user_id", "role"))
    rows = []
    for assignment in learner.assignments.select_related("user").order_by("user__first_name", "user__last_name"):
        if assignment.ends_on and assignment.ends_on < today:
            state = "ended"
        elif assignment.starts_on and assignment.starts_on > today:
            state = "not yet"
        else:
            state = "current"
        rows.append({"assignment": assignment, "role": roles.get(assignment.user_id, ""), "state": state})
    return rows
