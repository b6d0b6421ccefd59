app_name = "means"

urlpatterns: list = []
