from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("inspection/", views.inspector_report, name="inspector"),
    path("sessions.csv", views.sessions_csv, name="sessions_csv"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
