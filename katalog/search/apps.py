from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "katalog.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from . import data  # noqa: F401  (the base synonyms of a new tenant: a signal receiver)
