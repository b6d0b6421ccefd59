from django.urls import path

from . import case_study_views, term_views, views

app_name = "outcomes"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("inspection/", views.inspector_report, name="inspector"),
    path("reports/", views.report_index, name="reports"),
    path("reports/my-practice/", views.my_practice, name="my_practice"),
    path("reports/for-carers/", views.my_practice, {"which": "for-carers"}, name="carer_report"),
    path("reports/for-therapists/", views.my_practice, {"which": "for-therapists"}, name="therapist_report"),
    path("reports/<slug:audience>/", views.organisation_report, name="organisation_report"),
    path("sessions.csv", views.sessions_csv, name="sessions_csv"),
    path("terms/", term_views.terms, name="terms"),
    path("terms/<int:term_id>/remove/", term_views.term_remove, name="term_remove"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:alert>/", views.dashboard_alert, name="dashboard_alert"),
]

# A person's own reports, under /learners/<id>/ with the other pages about them (named learners:report…).
person_urlpatterns = [
    path("<int:learner_id>/reports/", views.person_reports, name="reports"),
    path("<int:learner_id>/reports/<slug:kind>/", views.person_report, name="report"),
    path("<int:learner_id>/reports/case-study/review/", case_study_views.case_study_review, name="case_study_review"),
]
