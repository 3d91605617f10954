from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("meetings/", views.home, name="home"),
    path("meetings/calendar/", views.calendar_page, name="calendar"),
    path("meetings/attendee/", views.attendee_page, name="attendee"),
    path("meetings/assignments/", views.assignments_page, name="assignments"),
    path("meetings/cell/<int:pk>/", views.cell_page, name="cell"),
    path("meetings/cell/<int:cell_pk>/new/", views.meeting_create, name="meeting_create"),
    path("meetings/cell/<int:cell_pk>/schedule/", views.schedule_page, name="schedule"),
    path("meetings/committee/<int:pk>/", views.committee_page, name="committee"),
    path("meetings/committee/<int:pk>/lock/", views.committee_lock_month, name="committee_lock"),
    path("meetings/committee/<int:pk>/quarter/", views.quarterly_page, name="quarterly"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/report/", views.attendee_report, name="report"),
    path("four-goods/<int:org_pk>/<int:year>/<int:month>/", views.four_goods_page, name="four_goods"),
    path("meetings/attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("notifications/", views.notifications_page, name="notifications"),
]
