from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "openrecovery.safety"
    label = "safety"
    verbose_name = "Suicide-risk pathway"

    def ready(self) -> None:
        from openrecovery.instruments.reactions import reaction_register

        from .services import administration_follow_up

        reaction_register(administration_follow_up)
