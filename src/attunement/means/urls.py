from django.urls import path

from . import views

app_name = "means"

urlpatterns = [
    path("", views.index, name="index"),
    path("training/", views.my_training, name="training"),
    path("training/record/", views.training_record, name="training_record"),
    path("training/matrix/", views.training_matrix, name="training_matrix"),
    path("training/courses/", views.courses, name="courses"),
    path("training/courses/<int:course_id>/", views.course_change, name="course_change"),
    path("training/<int:completion_id>/certificate/", views.certificate, name="certificate"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/new/", views.supervision_new, name="supervision_new"),
    path("supervision/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("champions/", views.champions, name="champions"),
    path("champions/<int:champion_id>/end/", views.champion_end, name="champion_end"),
    path("how-i-feel/", views.self_report, name="self_report"),
    path("how-staff-feel/", views.self_report_trends, name="self_report_trends"),
]
