from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("to-chuc/", views.organization_tree, name="tree"),
    path("to-chuc/<int:pk>/", views.organization_detail, name="organization"),
    path("chi-bo/<int:pk>/", views.cell_detail, name="cell"),
    path("chi-bo/<int:pk>/xep-loai/<int:year>/", views.rating_entry, name="rating_entry"),
    path("dang-vien/", views.member_list, name="members"),
    path("dang-vien/<int:pk>/", views.member_detail, name="member"),
    path("nhap-du-lieu/", views.import_data, name="import"),
    path("nhap-du-lieu/mau/<str:kind>.<str:file_format>", views.import_template, name="import_template"),
    path("xuat-du-lieu/<str:kind>.<str:file_format>", views.export, name="export"),
]
