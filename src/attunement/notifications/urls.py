from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.for_you, name="for_you"),
    path("settings/", views.notification_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
