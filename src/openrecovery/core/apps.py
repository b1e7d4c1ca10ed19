from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openrecovery.core"
    label = "core"
