from django.contrib import admin

from .models import AuditEntry, Membership, Site


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen in the admin, added and changed only through the application's pages, so every change is recorded."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "learner_id", "target_type", "target_id")
    list_filter = ("action",)
