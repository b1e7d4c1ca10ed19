from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openrecovery.audit"
    label = "audit"
    verbose_name = "Audit log"
