from django.contrib import admin

from attunement.organisations.admin import ReadOnlyAdmin

from .models import Consent, LegalHold, RetentionRun, RetentionSettings


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("learner", "purpose", "given_by", "starts_on", "review_on", "withdrawn_on")
    list_filter = ("purpose", "given_by")


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ("learner", "placed_at", "lifted_at")


@admin.register(RetentionSettings)
class RetentionSettingsAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "sessions_years", "reviews_years", "person_years", "audit_years")


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "ran_at", "applied")
