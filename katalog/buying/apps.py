from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "katalog.buying"
    label = "buying"
    verbose_name = "Buying"

    def ready(self) -> None:
        # The vendor's stock message names the orders that hold its stock (catalogue knows no orders).
        from katalog.catalogue import stock

        stock.holders_of = _stock_holders


def _stock_holders(product_id: int) -> list[str]:
    # Imported on first use, not at set-up: the selectors import the order services and, through
    # them, the PDF documents (reportlab), which every `katalog` command would otherwise load
    # (docs/performance.md "Importing the Dinas registry").
    from .selectors import stock_holders

    return stock_holders(product_id)
