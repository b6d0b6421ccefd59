"""The player page and its status, and the interaction analysis' actions; named reflection:… (see
config/urls.py)."""

from django.urls import path

from . import player, views

VIDEO = "videos/<int:video_id>/"

urlpatterns = [
    path(VIDEO, player.video_player, name="video"),
    path(f"{VIDEO}status/", player.video_status, name="video_status"),
    path(f"{VIDEO}analysis/", views.video_analysis_request, name="video_analysis_request"),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/retry/",
        views.video_analysis_retry,
        name="video_analysis_retry",
    ),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/choose/",
        views.video_analysis_choose,
        name="video_analysis_choose",
    ),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/speakers/",
        views.video_analysis_speaker,
        name="video_analysis_speaker",
    ),
]
