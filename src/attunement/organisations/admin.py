from django.contrib import admin

from .models import AuditEntry, Membership, Organisation, Site


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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "setting", "weekly_session_target")
    inlines = [SiteInline, MembershipInline]
    exclude = ("progress_scale",)

    def has_delete_permission(self, request, obj=None):
        # People's records leave only through erasure or retention, which respect legal holds and the audit.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            from attunement.practice.services import organisation_practice_setup
            from attunement.setup.catalogues import ensure_default_catalogues

            organisation_practice_setup(organisation=obj)
            ensure_default_catalogues(obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "learner_id", "target_type", "target_id")
    list_filter = ("action",)
