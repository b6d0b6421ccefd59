from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from attunement.accounts import views as account_views
from attunement.organisations import views as organisation_views
from attunement.practice import views as practice_views

# The admin has no login form of its own: it uses the same login, second step and lockout as everyone.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", practice_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("organisation/switch/", organisation_views.switch_organisation, name="switch_organisation"),
    path("organisation/audit/", organisation_views.audit_log, name="audit"),
    path("organisation/security-log/", account_views.security_log_page, name="security_log"),
    path("learners/", include("attunement.learners.urls")),
    path("", include("attunement.practice.urls")),
    path("privacy/", include("attunement.privacy.urls")),
    path("privacy/", include("attunement.records.urls")),
    path("organisation/summary/", include("attunement.outcomes.urls")),
    path("means/", include("attunement.means.urls")),
    path("reflection/", include("attunement.reflection.urls")),
    path("admin/", admin.site.urls),
]
