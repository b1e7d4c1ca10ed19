from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "openrecovery.treatment"
    label = "treatment"
    verbose_name = "Treatment"

    def ready(self) -> None:
        from openrecovery.instruments.reactions import reaction_register

        from .services.measurement import measurement_follow_up

        reaction_register(measurement_follow_up)
