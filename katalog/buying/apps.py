from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "katalog.buying"
    label = "buying"
    verbose_name = "Buying"
