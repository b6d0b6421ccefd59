from django.contrib import admin

from .models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "learner", "starts_on", "ends_on")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "learner")
