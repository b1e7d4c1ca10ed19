from django.apps import AppConfig


class WithdrawalConfig(AppConfig):
    name = "openrecovery.withdrawal"
    label = "withdrawal"
    verbose_name = "Withdrawal management"

    def ready(self) -> None:
        from openrecovery.instruments.reactions import reaction_register

        from .services import ciwab_follow_up

        reaction_register(ciwab_follow_up)
