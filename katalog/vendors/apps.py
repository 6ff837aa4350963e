from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "katalog.vendors"
    label = "vendors"
    verbose_name = "Vendors"
