"""Locust users for the load test (bench/load_run.py starts them headless at a fixed rate).

Three kinds of traffic together, each at a constant rate per simulated user:
- `Searcher`: the public search page with a term people type (anonymous);
- `Browser`: a public product page (anonymous);
- `Buyer`: the PP of Dinas Pendidikan signed in, who opens "Buy now" for a product and places the
  draft order (quantity, budget line, delivery address), then lands on the order's page.

Every answer but a 2xx (after redirects) counts as a failure. The product ids come from the search
pages themselves, so the file works on any catalogue (`katalog demo`, `katalog demo --small`).
"""

import os
import random
import re
from html import unescape

from locust import HttpUser, constant_throughput, task

TERMS = ["ulos", "PDH", "kemeja", "kopi", "kertas", "batik", "songket", "meja", "kue", "tas"]
PASSWORD = os.environ.get("KATALOG_DEMO_PASSWORD", "katalog-demo-2026")
PRODUCT = re.compile(r'href="/produk/(\d+)/"')
_products: list[int] = []


def _fields(html: str, field: str) -> dict[str, str]:
    """The hidden inputs and the preselected values of the page's form that has `field`."""
    at = html.find(f'name="{field}"')
    form = html[html.rfind("<form", 0, at) : html.find("</form>", at)] if at >= 0 else ""
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="hidden"' in tag or 'name="quantity"' in tag):
            data[name[1]] = unescape(value[1]) if value else ""
        elif name and value and 'type="radio"' in tag and (name[1] not in data or "checked" in tag):
            data[name[1]] = unescape(value[1])  # the first choice, unless one is checked
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        options = re.findall(r'<option value="([^"]+)"', body)
        chosen = re.search(r'<option value="([^"]+)"[^>]*selected', body)
        if options:
            data[name] = unescape(chosen[1] if chosen else options[0])
    return data


class CatalogueUser(HttpUser):
    abstract = True

    def products(self) -> list[int]:
        if not _products:
            for term in TERMS:
                page = self.client.get("/cari/", params={"q": term}, name="/cari/?q=[term]").text
                _products.extend(int(p) for p in set(PRODUCT.findall(page)) if int(p) not in _products)
        return _products


class Searcher(CatalogueUser):
    weight = 4
    wait_time = constant_throughput(1)

    @task
    def search(self):
        self.client.get("/cari/", params={"q": random.choice(TERMS)}, name="/cari/?q=[term]")


class Browser(CatalogueUser):
    weight = 4
    wait_time = constant_throughput(1)

    @task
    def product(self):
        self.client.get(f"/produk/{random.choice(self.products())}/", name="/produk/[id]/")


class Buyer(CatalogueUser):
    weight = 1
    wait_time = constant_throughput(0.5)

    def on_start(self):
        self.products()
        page = self.client.get("/akun/masuk/", name="/akun/masuk/").text
        data = _fields(page, "password") | {"username": "pp", "password": PASSWORD}
        with self.client.post("/akun/masuk/", data, name="/akun/masuk/ (post)", catch_response=True) as r:
            if "/akun/masuk/" in r.url:
                r.failure("sign-in refused")

    @task
    def place_order(self):
        url = f"/belanja/beli/{random.choice(self.products())}/"
        page = self.client.get(url, name="/belanja/beli/[id]/").text
        data = _fields(page, "quantity") | {"addresses": "Jl. Pendidikan No. 1, Medan", "note": "load test"}
        with self.client.post(url, data, name="/belanja/beli/[id]/ (post)", catch_response=True) as r:
            if not re.search(r"/belanja/pesanan/\d+/$", r.url):
                r.failure(f"no order placed ({r.status_code} at {r.url})")
