from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("patients/<int:patient_id>/safety-plan/", views.plan, name="plan"),
    path("patients/<int:patient_id>/safety-plan/print/", views.plan_print, name="plan_print"),
    path("patients/<int:patient_id>/safety/precautions/", views.precautions, name="precautions"),
]
