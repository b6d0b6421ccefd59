from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("organisation/members/", views.members_page, name="list"),
    path("organisation/members/invite/", views.invite_page, name="invite"),
    path("organisation/members/import/", views.import_upload_page, name="import"),
    path("organisation/members/import/template/", views.import_template, name="import_template"),
    path("organisation/members/import/columns/", views.import_columns_page, name="import_columns"),
    path("organisation/members/import/preview/", views.import_preview_page, name="import_preview"),
    path("organisation/members/<int:membership_id>/", views.member_page, name="member"),
    path("organisation/members/<int:membership_id>/end-access/", views.end_access_page, name="end_access"),
    path("organisation/members/invitations/<int:invitation_id>/send-again/", views.send_again, name="send_again"),
    path("organisation/members/invitations/<int:invitation_id>/withdraw/", views.withdraw, name="withdraw"),
    path("invitation/<str:token>/", views.accept_page, name="accept"),
    path("organisation/single-sign-on/", views.single_sign_on_settings, name="single_sign_on"),
    path("sign-in/<slug:key>/", views.single_sign_on_start, name="sign_in_with"),
]
