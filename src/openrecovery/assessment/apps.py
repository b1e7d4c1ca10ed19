from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "openrecovery.assessment"
    label = "assessment"
    verbose_name = "Intake assessment and level of care"
