"""Who may reach each route: the declaration that tests/core/test_access_matrix.py holds the URL
configuration and the API schema to.

A page declares its right where it is written, with `@require(...)` (all of the rights) or
`@require_any(...)` (one of them); the routes below are the others. A new route that is in neither
place fails the test, so no endpoint is added without saying who may use it. Beyond the right,
every lookup is scoped: another tenant's or another office's object is a 404 (docs/permissions.md).
"""

from katalog.core.permissions import Permission as P

PUBLIC = "public"  # anyone, signed in or not (the catalogue, sign-in, registration)
SIGNED_IN = "signed-in"  # any signed-in user; the view shows only the user's own things
PROVIDER = "provider"  # a messaging provider's callback, authenticated by its signature

# Pages without a decorator: URL name -> access.
VIEWS: dict[str, str] = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    "metrics": PUBLIC,  # itself refuses unless enabled for the caller's network (docs/deployment.md)
    "set_language": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:login_phone": PUBLIC,
    "accounts:login_phone_code": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:home": SIGNED_IN,
    "accounts:profile": SIGNED_IN,
    # Task D (issue 10): two-factor sign-in, the page "Security", registration by e-mail link.
    "accounts:two_factor": SIGNED_IN,
    "accounts:security": SIGNED_IN,
    "accounts:token_revoke": SIGNED_IN,  # only the user's own tokens
    "accounts:session_end": SIGNED_IN,  # only the user's own sessions
    "accounts:password_change": SIGNED_IN,
    "accounts:register_sent": PUBLIC,
    "accounts:register_confirm": PUBLIC,
    "vendors:register": PUBLIC,
    "vendors:register_code": PUBLIC,
    "vendors:claim_check": PUBLIC,
    "vendors:villages": PUBLIC,
    "vendors:kbli_suggest": SIGNED_IN,  # KBLI titles matching a typed word (htmx fragment)
    "vendors:switch": SIGNED_IN,  # an owner of several businesses picks the one they act for
    "vendors:mine": SIGNED_IN,
    "vendors:claimed_pick": SIGNED_IN,
    "vendors:claimed_data_check": SIGNED_IN,
    "vendors:payment": SIGNED_IN,
    "vendors:step": SIGNED_IN,
    "vendors:submit": SIGNED_IN,
    "vendors:document": SIGNED_IN,
    "buying:notifications": SIGNED_IN,
    "buying:notifications_read": SIGNED_IN,
    "buying:budget_lines": SIGNED_IN,
    "messaging:whatsapp_webhook": PROVIDER,
    "catalogue:search": PUBLIC,
    "catalogue:suggest": PUBLIC,  # issue 11: suggestions as the buyer types (htmx fragment)
    "catalogue:product": PUBLIC,
    "catalogue:storefront": PUBLIC,
    "catalogue:compare": PUBLIC,
    "catalogue:transition": SIGNED_IN,  # a Penyedia moves its own product (submit, withdraw)
    "transparency": PUBLIC,  # Task I9b (issue 9): /transparansi/, the public spending page
}

_ORDER = (P.ORDER_VIEW,)  # plus the order's workflow table: which party may take which step
# API operations: "METHOD /path" as in the published schema -> access.
API: dict[str, str | tuple[P, ...]] = {
    "POST /api/v1/auth/otp": PUBLIC,
    "POST /api/v1/auth/token": PUBLIC,
    "GET /api/v1/auth/token": SIGNED_IN,
    "DELETE /api/v1/auth/token": SIGNED_IN,
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/kbli": SIGNED_IN,
    "GET /api/v1/vendors": SIGNED_IN,  # a Penyedia its own; vendor:view_all every vendor of the tenant
    "GET /api/v1/vendors/{vendor_id}": SIGNED_IN,  # one's own vendor, or all with vendor:view_all
    "POST /api/v1/vendors/{vendor_id}/submit": (P.VENDOR_EDIT_OWN,),
    "POST /api/v1/vendors/{vendor_id}/approve": (P.VENDOR_VERIFY,),
    "POST /api/v1/vendors/{vendor_id}/reject": (P.VENDOR_VERIFY,),
    "POST /api/v1/vendors/{vendor_id}/request-revision": (P.VENDOR_VERIFY,),
    "POST /api/v1/vendors/{vendor_id}/invite": (P.VENDOR_VERIFY,),
    "GET /api/v1/products": PUBLIC,
    "GET /api/v1/suggestions": PUBLIC,  # issue 11: what to offer as the buyer types
    "GET /api/v1/products/{product_id}": PUBLIC,
    "POST /api/v1/products/{product_id}/stock": (P.PRODUCT_EDIT_OWN,),
    "POST /api/v1/products/{product_id}/submit": (P.PRODUCT_EDIT_OWN,),
    "POST /api/v1/products/{product_id}/withdraw": (P.PRODUCT_EDIT_OWN,),
    "POST /api/v1/products/{product_id}/approve": (P.PRODUCT_CURATE,),
    "POST /api/v1/products/{product_id}/request-revision": (P.PRODUCT_CURATE,),
    "POST /api/v1/products/{product_id}/reject": (P.PRODUCT_CURATE,),
    "POST /api/v1/products/{product_id}/freeze": (P.PRODUCT_CURATE,),
    "POST /api/v1/products/{product_id}/delist": (P.PRODUCT_CURATE,),
    "POST /api/v1/orders": (P.ORDER_BUY,),
    "GET /api/v1/orders": _ORDER,
    "GET /api/v1/orders/{order_id}": _ORDER,
    **{
        f"POST /api/v1/orders/{{order_id}}/{step}": _ORDER
        for step in (
            "propose counter accept reprice submit approve confirm deliver refuse receive invoice pay rate "
            "cancel request-cancel decline-cancel"
        ).split()
    },
    "GET /api/v1/budget-lines": (P.ORDER_VIEW,),
    "GET /api/v1/stats/onboarding": (P.VENDOR_VIEW_ALL, P.DASHBOARD_UMKM),
    # Task I9b (issue 9): open data, public (the tenant is the host's; nothing personal is published).
    "GET /api/v1/ocds/releases": PUBLIC,
    "GET /api/v1/ocds/records/{ocid}": PUBLIC,
    # A PA/KPA reads their own office only (another office's code is a 403); the others the tenant.
    "GET /api/v1/stats/spending": (P.DASHBOARD_SPENDING,),
    # Task DB (issue 9): budget lines (as spending), payment timeliness (the orders the caller sees;
    # a PA/KPA their office), the vendor's own figures (a Penyedia user with no business: 404).
    "GET /api/v1/stats/budget-lines": (P.DASHBOARD_SPENDING,),
    "GET /api/v1/stats/payments": (P.ORDER_VIEW,),
    "GET /api/v1/stats/vendor": (P.VENDOR_EDIT_OWN,),
}
