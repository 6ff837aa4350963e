"""The API root, mounted at /api/v1/. Each app adds its router; errors are always JSON:
`{"code": "...", "message": "..."}` (with `fields` for validation errors), in the user's language
(katalog/core/api_errors.py). Authentication and `actor_of` live in katalog/accounts/api_auth.py."""

from ninja import NinjaAPI

from katalog.accounts.api import router as accounts_router
from katalog.accounts.api_auth import BearerToken, SessionCookie
from katalog.accounts.api_auth import actor_of as actor_of  # kept for `from katalog.api import actor_of`
from katalog.buying.api import budget_router
from katalog.buying.api import router as orders_router
from katalog.catalogue.api import router as products_router
from katalog.core import api_errors
from katalog.vendors.api import kbli_router
from katalog.vendors.api import router as vendors_router

api = NinjaAPI(
    title="Katalog Lokal API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api_errors.install(api)

api.add_router("", accounts_router)
api.add_router("/vendors", vendors_router)
api.add_router("/kbli", kbli_router)  # the KBLI 2020 list: GET /kbli?q=kerupuk
api.add_router("/products", products_router)
api.add_router("/suggestions", "katalog.catalogue.suggest_api.router")  # issue 11: GET /suggestions?q=kem
api.add_router("/orders", orders_router)
api.add_router("/budget-lines", budget_router)
api.add_router("/stats", "katalog.insights.api.router")  # figures of the dashboards: /stats/onboarding, …
api.add_router("/ocds", "katalog.insights.ocds_api.router")  # open data (OCDS 1.1), public
