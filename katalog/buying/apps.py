from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "katalog.buying"
    label = "buying"
    verbose_name = "Buying"

    def ready(self) -> None:
        # The vendor's stock message names the orders that hold its stock (catalogue knows no orders).
        from katalog.catalogue import stock

        from .selectors import stock_holders

        stock.holders_of = stock_holders
