from django.urls import path

from attunement.outcomes import case_study_views
from attunement.outcomes import views as report_views

from . import views

app_name = "learners"

urlpatterns = [
    path("", views.learner_list_view, name="list"),
    path("new/", views.learner_create_view, name="create"),
    path("<int:learner_id>/", views.about_me, name="about"),
    path("<int:learner_id>/edit/", views.learner_edit_view, name="edit"),
    path("<int:learner_id>/photo/", views.learner_photo, name="photo"),
    path("<int:learner_id>/profile/", views.profile_edit_view, name="profile_edit"),
    path("<int:learner_id>/plans/", views.plan_list_view, name="plans"),
    path("<int:learner_id>/people/", views.assignments_view, name="assignments"),
    path("<int:learner_id>/reports/", report_views.person_reports, name="reports"),
    path("<int:learner_id>/reports/<slug:kind>/", report_views.person_report, name="report"),
    path("<int:learner_id>/reports/case-study/review/", case_study_views.case_study_review, name="case_study_review"),
    path("<int:learner_id>/people/<int:assignment_id>/end/", views.assignment_end_view, name="assignment_end"),
    path("<int:learner_id>/plans/new/", views.plan_create_view, name="plan_create"),
    path("<int:learner_id>/plans/<int:plan_id>/", views.plan_edit_view, name="plan_edit"),
]
