from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "katalog.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import sessions  # noqa: F401  (signal receivers)
