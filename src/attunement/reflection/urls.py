app_name = "reflection"

urlpatterns: list = []
