from allauth.account.adapter import get_adapter
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from attunement.organisations.admin import ReadOnlyAdmin

from .models import SecurityEvent, User
from .security import Kind, record


class EmailUserCreationForm(AdminUserCreationForm):
    """People log in with their email address, so that is what the admin asks for."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.email
        if commit:
            user.save()
        return user


@admin.register(User)
class EmailUserAdmin(UserAdmin):
    add_form = EmailUserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    list_display = ("email", "first_name", "last_name", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)

    def user_change_password(self, request, id, form_url=""):
        """As when people change their own: the change is in the security log, and the person is told by e-mail,
        so a password set by someone else is never a surprise."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            record(
                Kind.PASSWORD_CHANGED, request=request, user=user, detail=f"Set in the admin by {request.user.email}"
            )
            get_adapter(request).send_notification_mail("account/email/password_changed", user)
        return response


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The whole security log, every organisation, read-only: for the people who run the site."""

    list_display = ("at", "kind", "email", "address", "organisation", "detail")
    list_filter = ("kind", "at")
    search_fields = ("email", "address", "detail")
    date_hierarchy = "at"
