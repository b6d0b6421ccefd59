from django.urls import path

from . import analysis_views, video_views, views

app_name = "reflection"

SESSION = "learners/<int:learner_id>/sessions/<int:session_id>/coding/"
VIDEO = "videos/<int:video_id>/"

urlpatterns = [
    path("ethogram/", views.ethogram, name="ethogram"),
    path("ethogram/<int:code_id>/", views.ethogram_code_change, name="ethogram_code_change"),
    path(SESSION, views.coding_passes, name="passes"),
    path(f"{SESSION}import/", views.coding_import, name="import"),
    path(f"{SESSION}agreement/", views.coding_agreement, name="agreement"),
    path(f"{SESSION}<int:pass_id>/", views.coding_pass_detail, name="pass"),
    path(f"{SESSION}<int:pass_id>/export/", views.coding_pass_export, name="export"),
    path(f"{SESSION}<int:pass_id>/delete/", views.coding_pass_delete, name="delete"),
    # Videos
    path("learners/<int:learner_id>/sessions/<int:session_id>/video/", video_views.video_add, name="video_add"),
    path("videos/", video_views.videos, name="videos"),
    path(VIDEO, video_views.video_player, name="video"),
    path(f"{VIDEO}status/", video_views.video_status, name="video_status"),
    path(f"{VIDEO}proxy.mp4", video_views.video_proxy, name="video_proxy"),
    path(f"{VIDEO}poster.jpg", video_views.video_poster, name="video_poster"),
    path(f"{VIDEO}original/", video_views.video_original, name="video_original"),
    path(f"{VIDEO}events/", video_views.video_events, name="video_events"),
    path(f"{VIDEO}events/<int:event_id>/remove/", video_views.video_event_remove, name="video_event_remove"),
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
    path(f"{VIDEO}analysis/", analysis_views.video_analysis_request, name="video_analysis_request"),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/retry/",
        analysis_views.video_analysis_retry,
        name="video_analysis_retry",
    ),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/choose/",
        analysis_views.video_analysis_choose,
        name="video_analysis_choose",
    ),
    path(
        f"{VIDEO}analysis/<int:analysis_id>/speakers/",
        analysis_views.video_analysis_speaker,
        name="video_analysis_speaker",
    ),
    path("library/", video_views.library, name="library"),
    path("library/<int:clip_id>/", video_views.library_clip, name="library_clip"),
    path("library/<int:clip_id>/clip.mp4", video_views.library_clip_file, name="library_clip_file"),
]
