"""Response headers that keep private pages private (see docs/security.md)."""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """A response to a signed-in user (a page, a PDF, a spreadsheet, an uploaded document) is
    never kept by a browser's or a proxy's cache: offices share computers, and the back button on a
    signed-out browser must not show an order. A view that set its own Cache-Control keeps it,
    except that `public` never goes to a signed-in user's response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            current = response.get("Cache-Control", "")
            if "no-store" not in current:
                if "public" in current:
                    del response["Cache-Control"]
                patch_cache_control(response, private=True, no_store=True)
        return response


_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once: no view changes the policy and no
    page uses a nonce (settings.CONTENT_SECURITY_POLICY allows scripts only from this site's files), so
    every answer carries the same header, which django-csp built anew twice per response (a tenth of
    a kept page's time, docs/performance.md). Any response or request that does change it (a decorator,
    a nonce) goes through django-csp's own code."""

    _built: tuple[int, int, str, str] | None = None

    def _site_policy(self) -> tuple[str, str]:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        config_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        if built is None or built[0] != id(config) or built[1] != id(config_ro):
            built = (id(config), id(config_ro), build_policy(), build_policy(report_only=True))
            self._built = built
        return built[2], built[3]

    def process_response(self, request, response):
        if isinstance(getattr(request, "_csp_nonce", None), str) or any(
            hasattr(response, name) for name in _POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policy, report_only = self._site_policy()
        if policy and HEADER not in response and not self._excluded(request, "CONTENT_SECURITY_POLICY"):
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            if not self._excluded(request, "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
                response[HEADER_REPORT_ONLY] = report_only
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _excluded(request, setting: str) -> bool:
        prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        return bool(prefixes) and request.path_info.startswith(tuple(prefixes))
