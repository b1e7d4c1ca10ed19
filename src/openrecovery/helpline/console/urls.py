from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.console, name="queue_page"),
    path("queue/", views.queue, name="queue"),
    path("figures/", views.figures, name="figures"),
    path("log-call/", views.log_call, name="log_call"),
    path("bookings/", views.bookings, name="bookings"),
    path("inquiries/<str:reference>/", views.inquiry_view, name="inquiry"),
    path("inquiries/<str:reference>/claim/", views.claim, name="claim"),
    path("inquiries/<str:reference>/release/", views.release, name="release"),
    path("inquiries/<str:reference>/calls/", views.call_record, name="call"),
    path("inquiries/<str:reference>/prescreen/", views.prescreen, name="prescreen"),
    path("inquiries/<str:reference>/schedule/", views.schedule, name="schedule"),
    path("inquiries/<str:reference>/close/", views.close, name="close"),
    path("inquiries/<str:reference>/merge/", views.merge, name="merge"),
]
