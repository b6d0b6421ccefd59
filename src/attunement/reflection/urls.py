"""The video pages. Their names are reflection:…, shared with the codings' and the interaction analysis' pages
(composed in config/urls.py), so every address stayed as it was when the three were one app."""

from django.urls import path

from . import video_views

VIDEO = "videos/<int:video_id>/"

urlpatterns = [
    path("learners/<int:learner_id>/sessions/<int:session_id>/video/", video_views.video_add, name="video_add"),
    path("videos/", video_views.videos, name="videos"),
    path(f"{VIDEO}proxy.mp4", video_views.video_proxy, name="video_proxy"),
    path(f"{VIDEO}poster.jpg", video_views.video_poster, name="video_poster"),
    path(f"{VIDEO}original/", video_views.video_original, name="video_original"),
    path(f"{VIDEO}ratings/", video_views.video_rate, name="video_rate"),
    path(f"{VIDEO}comments/", video_views.video_comment_add, name="video_comment_add"),
    path(f"{VIDEO}comments/<int:comment_id>/delete/", video_views.video_comment_delete, name="video_comment_delete"),
    path(f"{VIDEO}comments/<int:comment_id>/action/", video_views.video_comment_action, name="video_comment_action"),
    path(f"{VIDEO}share/", video_views.video_share, name="video_share"),
    path(f"{VIDEO}shares/<int:share_id>/remove/", video_views.video_unshare, name="video_unshare"),
    path(f"{VIDEO}clips/", video_views.video_clip_add, name="video_clip_add"),
    path(f"{VIDEO}clips/<int:clip_id>/remove/", video_views.video_clip_remove, name="video_clip_remove"),
    path(f"{VIDEO}delete/", video_views.video_delete, name="video_delete"),
    path(f"{VIDEO}retry/", video_views.video_retry, name="video_retry"),
    path("library/", video_views.library, name="library"),
    path("library/<int:clip_id>/", video_views.library_clip, name="library_clip"),
    path("library/<int:clip_id>/clip.mp4", video_views.library_clip_file, name="library_clip_file"),
]
