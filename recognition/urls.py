from django.urls import path

from . import views

app_name = "recognition"
urlpatterns = [
    path("recognition/", views.registration_list, name="registration_list"),
    path("recognition/new/", views.registration_create, name="registration_create"),
    path("recognition/bulk/", views.registration_bulk, name="registration_bulk"),
    path("recognition/r/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("recognition/r/<int:pk>/action/", views.registration_action, name="registration_action"),
    path("recognition/r/<int:pk>/preview.pdf", views.registration_preview, name="registration_preview"),
    path("recognition/r/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("recognition/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("recognition/queue/", views.review_queue, name="review_queue"),
    path("recognition/conferences/", views.conference_list, name="conference_list"),
    path("recognition/conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("recognition/conferences/<int:pk>/issue/", views.conference_issue, name="conference_issue"),
    path("recognition/conferences/<int:pk>/status.json", views.conference_status, name="conference_status"),
    path("recognition/decisions/", views.decision_list, name="decision_list"),
    path("recognition/decisions/<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
    path("recognition/lists/", views.recognition_lists, name="recognition_lists"),
    path("recognition/quotas/", views.quota_progress, name="quota_progress"),
    path("recognition/report/", views.registration_report, name="registration_report"),
    path("recognition/recheck/", views.model_cell_recheck, name="model_cell_recheck"),
]
