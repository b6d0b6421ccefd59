"""Data migrations for models that moved from this app to another (codings, interaction) keeping their tables."""

from django.db import migrations


def content_types_moved(old_label: str, new_label: str, models: tuple[str, ...]) -> migrations.RunPython:
    """Give the models' content types the new app label (and back when unapplied). Permissions and admin history
    point at the content type's row, so they follow. Where the new app already has a row for a model (its
    content type was made before this ran), the old row is left as it is."""

    def rename(apps, schema_editor, source: str, target: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        database = schema_editor.connection.alias
        for model in models:
            if content_type.objects.using(database).filter(app_label=target, model=model).exists():
                continue
            content_type.objects.using(database).filter(app_label=source, model=model).update(app_label=target)

    return migrations.RunPython(
        lambda apps, editor: rename(apps, editor, old_label, new_label),
        lambda apps, editor: rename(apps, editor, new_label, old_label),
    )


def queued_tasks_moved(old_path: str, new_path: str) -> migrations.RunPython:
    """Point the task queue's entries for a task that moved module at its new place (and back when unapplied), so
    work queued before the upgrade is still found by the worker and by the recovery of stalled work."""

    def rename(apps, schema_editor, source: str, target: str) -> None:
        entries = apps.get_model("django_tasks_database", "DBTaskResult")
        entries.objects.using(schema_editor.connection.alias).filter(task_path=source).update(task_path=target)

    return migrations.RunPython(
        lambda apps, editor: rename(apps, editor, old_path, new_path),
        lambda apps, editor: rename(apps, editor, new_path, old_path),
    )
