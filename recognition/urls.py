app_name = "recognition"
urlpatterns = []
