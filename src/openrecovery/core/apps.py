from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openrecovery.core"
    label = "core"

    def ready(self) -> None:
        from .database import connect_signal

        connect_signal()
