from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "katalog.insights"
    label = "insights"
    verbose_name = "Insights"
