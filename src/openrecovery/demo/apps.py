from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "openrecovery.demo"
    label = "demo"
    verbose_name = "Fictional demo and benchmark data"
