from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "openrecovery.records"
    label = "records"
    verbose_name = "Patient records"
