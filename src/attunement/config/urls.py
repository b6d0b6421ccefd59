from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from attunement.accounts import views as account_views
from attunement.api.v1 import api as api_v1
from attunement.codings import urls as coding_urls
from attunement.interaction import urls as interaction_urls
from attunement.learners import urls as learner_urls
from attunement.members import urls as member_urls
from attunement.organisations import views as organisation_views
from attunement.outcomes import urls as outcome_urls
from attunement.practice import urls as practice_urls
from attunement.practice import views as practice_views
from attunement.privacy import urls as privacy_urls
from attunement.records import audit_views
from attunement.reflection import urls as video_urls

# The admin has no login form of its own: it uses the same login, second step and lockout as everyone.
admin.site.login = secure_admin_login(admin.site.login)

# Every page about one person is under /learners/ and named learners:…, whichever app serves it.
person_pages = [
    *learner_urls.urlpatterns,
    *practice_urls.person_urlpatterns,
    *privacy_urls.person_urlpatterns,
    *outcome_urls.person_urlpatterns,
]

# The video pages, the codings and the interaction analysis are three apps under /reflection/, named reflection:….
reflection_pages = [*video_urls.urlpatterns, *coding_urls.urlpatterns, *interaction_urls.urlpatterns]

urlpatterns = [
    path("", practice_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("organisation/switch/", organisation_views.switch_organisation, name="switch_organisation"),
    path("organisation/audit/", audit_views.audit_log, name="audit"),
    path("", include(member_urls)),
    path("organisation/security-log/", account_views.security_log_page, name="security_log"),
    path("learners/", include((person_pages, "learners"))),
    path("", include("attunement.practice.urls")),
    path("privacy/", include("attunement.privacy.urls")),
    path("privacy/", include("attunement.records.urls")),
    path("organisation/summary/", include("attunement.outcomes.urls")),
    path("means/", include("attunement.means.urls")),
    path("reflection/", include((reflection_pages, "reflection"))),
    path("notifications/", include("attunement.notifications.urls")),
    path("organisation/api-keys/", include("attunement.api.urls")),
    path("api/v1/", api_v1.urls),
    path("admin/", admin.site.urls),
]
