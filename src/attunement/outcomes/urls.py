from django.urls import path

from . import views

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
    path("dashboard/", views.dashboard, name="dashboard"),
]
