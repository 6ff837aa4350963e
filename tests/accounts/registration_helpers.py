"""Self-registration by e-mail as a person does it: the form, then the link of the e-mail."""

import re

from django.core import mail
from django.test import TestCase, override_settings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def register_by_email(client, data: dict):
    """Post the registration form, open the link sent to `data["email"]` and confirm it with the same
    browser. Returns the answer of the confirmation (a redirect to the first step)."""
    with override_settings(TASKS=IMMEDIATE), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/penyedia/daftar/", data)
    assert response.status_code == 302 and response["Location"] == "/akun/daftar/terkirim/", response
    body = [m for m in mail.outbox if m.to == [data["email"].lower()]][-1].body
    path = re.search(r"https?://[^/\s]+(/akun/daftar/konfirmasi/[^\s]+/)", body).group(1)
    return client.post(path)
