from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("learners/<int:learner_id>/", views.consents, name="consents"),
    path("learners/<int:learner_id>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "learners/<int:learner_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("learners/<int:learner_id>/legal-hold/", views.legal_hold, name="legal_hold"),
]

# Served under /learners/ with the other pages about one person (config/urls.py), as learners:….
person_urlpatterns = [
    path("<int:learner_id>/photo/", views.learner_photo, name="photo"),
]
