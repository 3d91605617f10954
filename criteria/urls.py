from django.urls import path

from . import fact_views, views

app_name = "criteria"
urlpatterns = [
    path("tieu-chi/xep-hang/", views.ranking, name="ranking"),
    path("tieu-chi/chi-tieu/", views.dashboard, name="dashboard"),
    path("tieu-chi/chi-tieu/<slug:code>/", views.indicator_detail, name="indicator"),
    path("tieu-chi/to-chuc/<int:pk>/", views.subject, name="subject"),
    # The facts the schemes read that no other page holds (issue 12), in the cell's workflow.
    path("tieu-chi/to-chuc/<int:pk>/so-lieu-nam/<int:year>/", fact_views.organization_year, name="facts_year"),
    path("tieu-chi/chi-bo/<int:pk>/binh-xet/<int:year>/", fact_views.nominations, name="facts_nominations"),
    path("tieu-chi/chi-bo/<int:pk>/doan-the/<int:year>/", fact_views.mass_org_ratings, name="facts_mass_orgs"),
    path("tieu-chi/nhap-so-lieu/", fact_views.facts_import, name="facts_import"),
    path(
        "tieu-chi/nhap-so-lieu/mau/<str:kind>.<str:file_format>",
        fact_views.facts_import_template,
        name="facts_import_template",
    ),
]
