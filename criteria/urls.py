from django.urls import path

from . import views

app_name = "criteria"
urlpatterns = [
    path("tieu-chi/xep-hang/", views.ranking, name="ranking"),
    path("tieu-chi/chi-tieu/", views.dashboard, name="dashboard"),
    path("tieu-chi/chi-tieu/<slug:code>/", views.indicator_detail, name="indicator"),
    path("tieu-chi/to-chuc/<int:pk>/", views.subject, name="subject"),
]
