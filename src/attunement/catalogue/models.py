from django.db import models


class CatalogueEntry(models.Model):
    """One entry of an organisation's list. Renamed or retired, never deleted, so the records that used it keep
    their history. A concrete entry declares its own `organisation` foreign key (each with its related name)."""

    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
