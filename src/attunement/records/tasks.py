"""The scheduled retention run, as a background task."""

from django_tasks import task

from .services import retention_apply


@task()
def retention_run(apply: bool = True) -> dict:
    """The scheduled retention run: delete what has passed its retention period in every organisation."""
    results = retention_apply(dry_run=not apply)
    return {str(plan.organisation.pk): counts for plan, counts in results}
