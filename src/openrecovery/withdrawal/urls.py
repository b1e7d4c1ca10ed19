from django.urls import path

from . import mar_views, views

app_name = "withdrawal"

urlpatterns = [
    path("withdrawal/board/", views.board, name="board"),
    path("withdrawal/protocol/", views.protocol, name="protocol"),
    path("withdrawal/on-call/", views.on_call, name="on_call"),
    path("withdrawal/rater-drift/", views.drift, name="drift"),
    path("patients/<int:patient_id>/withdrawal/", views.patient, name="patient"),
    path("patients/<int:patient_id>/withdrawal/handoff/", views.handoff_print, name="handoff"),
    path("patients/<int:patient_id>/withdrawal/taper/", mar_views.taper, name="taper"),
    path(
        "patients/<int:patient_id>/withdrawal/taper/print/",
        mar_views.taper_print,
        name="taper_print",
    ),
    path("patients/<int:patient_id>/withdrawal/mar/", mar_views.mar, name="mar"),
]
