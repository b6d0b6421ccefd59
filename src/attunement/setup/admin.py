from django.contrib import admin

from attunement.organisations.admin import MembershipInline, SiteInline
from attunement.organisations.models import Organisation

from .services import organisation_set_up


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
            organisation_set_up(obj)
