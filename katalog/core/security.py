"""Response headers that keep private pages private (see docs/security.md)."""

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
