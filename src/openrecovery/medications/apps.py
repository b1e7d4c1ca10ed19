from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "openrecovery.medications"
    label = "medications"
    verbose_name = "Medication catalogue"
