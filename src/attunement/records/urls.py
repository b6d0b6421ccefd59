from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("learners/<int:learner_id>/export/", views.export, name="export"),
    path("learners/<int:learner_id>/erase/", views.erase, name="erase"),
    path("retention/", views.retention, name="retention"),
]
