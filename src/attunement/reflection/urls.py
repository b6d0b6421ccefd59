from django.urls import path

from . import views

app_name = "reflection"

SESSION = "learners/<int:learner_id>/sessions/<int:session_id>/coding/"

urlpatterns = [
    path("ethogram/", views.ethogram, name="ethogram"),
    path("ethogram/<int:code_id>/", views.ethogram_code_change, name="ethogram_code_change"),
    path(SESSION, views.coding_passes, name="passes"),
    path(f"{SESSION}import/", views.coding_import, name="import"),
    path(f"{SESSION}agreement/", views.coding_agreement, name="agreement"),
    path(f"{SESSION}<int:pass_id>/", views.coding_pass_detail, name="pass"),
    path(f"{SESSION}<int:pass_id>/export/", views.coding_pass_export, name="export"),
    path(f"{SESSION}<int:pass_id>/delete/", views.coding_pass_delete, name="delete"),
]
