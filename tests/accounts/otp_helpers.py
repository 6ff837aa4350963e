"""Shared by the sign-in-by-phone and claim tests: messages read from the `file` backend."""

import json
import re

from django.core.cache import cache

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def outbox_at(settings, path) -> "Outbox":
    """Messages go to the `file` backend at `path`, sent at once (the immediate task backend)."""
    settings.KATALOG_MESSAGE_BACKEND = "file"
    settings.KATALOG_MESSAGE_FILE = path
    settings.TASKS = IMMEDIATE
    cache.clear()  # the sending limits live in the cache
    return Outbox(path)


class Outbox:
    def __init__(self, path):
        self.path = path

    def lines(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def codes_to(self, phone: str) -> list[str]:
        found = []
        for line in self.lines():
            match = re.search(r"\b(\d{6})\b", line["text"])
            if line["to"].lstrip("+") == phone.lstrip("+") and match:
                found.append(match.group(1))
        return found

    def last_code(self, phone: str) -> str:
        codes = self.codes_to(phone)
        assert codes, f"no code sent to {phone}: {self.lines()}"
        return codes[-1]


def ask_code(client, phone, capture, **extra):
    with capture(execute=True):
        return client.post("/api/v1/auth/otp", {"phone": phone}, content_type="application/json", **extra)


def token_with_code(client, phone, code):
    return client.post("/api/v1/auth/token", {"phone": phone, "otp": code}, content_type="application/json")
