from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("patients/<int:patient_id>/assessment/", views.intake, name="intake"),
    path("patients/<int:patient_id>/assessment/start/", views.intake_start, name="start"),
    path("patients/<int:patient_id>/assessment/save/", views.section_save, name="save"),
    path(
        "patients/<int:patient_id>/assessment/substances/",
        views.substance_add,
        name="substance_add",
    ),
    path(
        "patients/<int:patient_id>/assessment/substances/<int:substance_id>/remove/",
        views.substance_remove,
        name="substance_remove",
    ),
    path("patients/<int:patient_id>/assessment/sign/", views.intake_sign, name="sign"),
    path(
        "patients/<int:patient_id>/assessment/addenda/",
        views.addendum_create,
        name="addendum_add",
    ),
    path("patients/<int:patient_id>/problems/", views.problems, name="problems"),
    path(
        "patients/<int:patient_id>/problems/dsm5-sedative/",
        views.problem_record,
        name="problem_record",
    ),
    path(
        "patients/<int:patient_id>/problems/<int:problem_id>/confirm/",
        views.problem_confirm_view,
        name="problem_confirm",
    ),
]
