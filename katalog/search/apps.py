from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "katalog.search"
    label = "search"
    verbose_name = "Search"
