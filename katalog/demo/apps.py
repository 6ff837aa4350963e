from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "katalog.demo"
    label = "demo"
    verbose_name = "Demo data"
