import importlib

from django.contrib.auth.hashers import make_password


def test_passwords_are_hashed_with_argon2_in_the_real_settings(settings):
    # The autouse test fixture swaps the hasher for speed; the project's settings module is the truth.
    real = importlib.import_module("katalog.settings")
    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    assert make_password("Rahasia-Uji-2026").startswith("argon2$")
