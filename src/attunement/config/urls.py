from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from attunement.organisations import views as organisation_views
from attunement.practice import views as practice_views

urlpatterns = [
    path("", practice_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisation/switch/", organisation_views.switch_organisation, name="switch_organisation"),
    path("organisation/audit/", organisation_views.audit_log, name="audit"),
    path("learners/", include("attunement.learners.urls")),
    path("", include("attunement.practice.urls")),
    path("privacy/", include("attunement.privacy.urls")),
    path("admin/", admin.site.urls),
]
