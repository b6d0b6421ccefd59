from django.urls import path

from . import views

app_name = "learners"

# The pages about one person that other apps serve join these in config/urls.py, under the same names.

urlpatterns = [
    path("", views.learner_list_view, name="list"),
    path("new/", views.learner_create_view, name="create"),
    path("groups/", views.groups_view, name="groups"),
    path("groups/<int:group_id>/", views.group_change_view, name="group_change"),
    path("import/", views.import_upload_view, name="import"),
    path("import/template/", views.import_template_view, name="import_template"),
    path("import/columns/", views.import_columns_view, name="import_columns"),
    path("import/preview/", views.import_preview_view, name="import_preview"),
    path("<int:learner_id>/edit/", views.learner_edit_view, name="edit"),
    path("<int:learner_id>/profile/", views.profile_edit_view, name="profile_edit"),
    path("<int:learner_id>/plans/", views.plan_list_view, name="plans"),
    path("<int:learner_id>/people/", views.assignments_view, name="assignments"),
    path("<int:learner_id>/people/<int:assignment_id>/end/", views.assignment_end_view, name="assignment_end"),
    path("<int:learner_id>/plans/new/", views.plan_create_view, name="plan_create"),
    path("<int:learner_id>/plans/<int:plan_id>/", views.plan_edit_view, name="plan_edit"),
]
