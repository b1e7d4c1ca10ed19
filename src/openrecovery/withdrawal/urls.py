from django.urls import path

from . import views

app_name = "withdrawal"

urlpatterns = [
    path("withdrawal/board/", views.board, name="board"),
    path("withdrawal/protocol/", views.protocol, name="protocol"),
    path("withdrawal/on-call/", views.on_call, name="on_call"),
    path("withdrawal/rater-drift/", views.drift, name="drift"),
    path("patients/<int:patient_id>/withdrawal/", views.patient, name="patient"),
    path("patients/<int:patient_id>/withdrawal/handoff/", views.handoff_print, name="handoff"),
]
