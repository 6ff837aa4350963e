from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "katalog.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        # Search imports no domain app: the catalogue tells it how to load products.
        from katalog.search import services as search_services
        from katalog.search import suggest

        from .selectors import search_documents, suggestion_names

        search_services.register_loader(search_documents)
        suggest.register_namer(suggestion_names)
