import pytest
from django.core.cache import cache

from .otp_helpers import outbox_at


@pytest.fixture
def outbox(settings, tmp_path):
    """The messages sent, read from the `file` backend (sign-in codes among them)."""
    yield outbox_at(settings, tmp_path / "messages.jsonl")
    cache.clear()
