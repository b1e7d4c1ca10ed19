from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "openrecovery.treatment"
    label = "treatment"
    verbose_name = "Treatment"
