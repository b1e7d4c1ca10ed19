from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "openrecovery.instruments"
    label = "instruments"
    verbose_name = "Validated instruments"
