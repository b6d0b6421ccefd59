"""The ethogram and coding pages, and the player's coding calls; named reflection:… (see config/urls.py)."""

from django.urls import path

from . import views

SESSION = "learners/<int:learner_id>/sessions/<int:session_id>/coding/"
VIDEO = "videos/<int:video_id>/"

urlpatterns = [
    path("ethogram/", views.ethogram, name="ethogram"),
    path("ethogram/import/", views.ethogram_import, name="ethogram_import"),
    path("ethogram/<int:code_id>/", views.ethogram_code_change, name="ethogram_code_change"),
    path(SESSION, views.coding_passes, name="passes"),
    path(f"{SESSION}import/", views.coding_import, name="import"),
    path(f"{SESSION}agreement/", views.coding_agreement, name="agreement"),
    path(f"{SESSION}<int:pass_id>/", views.coding_pass_detail, name="pass"),
    path(f"{SESSION}<int:pass_id>/export/", views.coding_pass_export, name="export"),
    path(f"{SESSION}<int:pass_id>/people/", views.coding_pass_people, name="pass_people"),
    path(f"{SESSION}<int:pass_id>/delete/", views.coding_pass_delete, name="delete"),
    path(f"{VIDEO}events/", views.video_events, name="video_events"),
    path(f"{VIDEO}events/<int:event_id>/remove/", views.video_event_remove, name="video_event_remove"),
]
