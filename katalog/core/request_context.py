"""What the audit log needs to know of the request being served, without passing it down every call:
the client's address (behind KATALOG_TRUSTED_PROXY_COUNT proxies, the one the outermost proxy saw)."""

from contextvars import ContextVar

from katalog.accounts.client_ip import client_ip

_client_address: ContextVar[str] = ContextVar("katalog_client_address", default="")


def current_client_address() -> str:
    """The address of the client whose request is being served; empty outside a request (a command,
    the task worker)."""
    return _client_address.get()


class RequestContextMiddleware:
    """Keeps the client's address for the duration of the request (core/audit.py reads it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        token = _client_address.set("" if address == "unknown" else address)
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
