from django.urls import path

from . import family_views, media_views, offline, offline_queue, person_views, views

app_name = "practice"

urlpatterns = [
    path("log/", views.log_choose_learner, name="log"),
    path("log/<int:learner_id>/", views.quick_log, name="log_session"),
    path("learners/<int:learner_id>/timeline/", views.timeline, name="timeline"),
    path("learners/<int:learner_id>/sessions/<int:session_id>/", views.session_detail, name="session"),
    path("learners/<int:learner_id>/sessions/<int:session_id>/correct/", views.session_correct, name="session_correct"),
    path(
        "learners/<int:learner_id>/sessions/<int:session_id>/withdraw/", views.session_withdraw, name="session_withdraw"
    ),
    path(
        "learners/<int:learner_id>/sessions/<int:session_id>/media/",
        media_views.session_media_add,
        name="session_media_add",
    ),
    path(
        "learners/<int:learner_id>/sessions/<int:session_id>/media/<int:media_id>/delete/",
        media_views.session_media_delete_page,
        name="session_media_delete",
    ),
    path("session-media/<int:media_id>/", media_views.media_file, name="media_file"),
    path("learners/<int:learner_id>/progress/", views.progress, name="progress"),
    path("learners/<int:learner_id>/reviews/new/", views.review_create, name="review_create"),
    path("learners/<int:learner_id>/reviews/<int:review_id>/", views.review_detail, name="review"),
    path("learners/<int:learner_id>/reviews/<int:review_id>/correct/", views.review_correct, name="review_correct"),
    path("learners/<int:learner_id>/reviews/<int:review_id>/withdraw/", views.review_withdraw, name="review_withdraw"),
    path("organisation/fundamentals/", views.fundamentals, name="fundamentals"),
    path("organisation/fundamentals/<int:fundamental_id>/", views.fundamental_change, name="fundamental_change"),
    path("organisation/settings/", views.organisation_settings, name="settings"),
    path("family/", family_views.family_home, name="family"),
    path("family/<int:learner_id>/", family_views.family_person, name="family_person"),
    path("family/<int:learner_id>/notes/new/", family_views.family_note, name="family_note"),
    path("family/<int:learner_id>/feedback/", family_views.family_feedback, name="family_feedback"),
    path(
        "learners/<int:learner_id>/family-feedback/",
        family_views.family_feedback_on_paper,
        name="family_feedback_on_paper",
    ),
    path("organisation/scales/<int:scale_id>/", views.scale_wording, name="scale_wording"),
    # Using Attunement with no connection (offline.py): served from the root, so the worker looks after every page.
    path("offline/", offline.offline_page, name="offline"),
    path("offline/pages/", offline.offline_pages, name="offline_pages"),
    path("service-worker.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
    path("saved-on-this-tablet/", offline_queue.waiting, name="offline_queue"),
    path("saved-on-this-tablet/token/", offline_queue.token, name="offline_queue_token"),
]

# Served under /learners/ with the other pages about one person (config/urls.py), as learners:….
person_urlpatterns = [
    path("<int:learner_id>/", person_views.about_me, name="about"),
]
