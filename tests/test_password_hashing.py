"""The product hashes passwords with Argon2; the suite's MD5 (tests/conftest.py) is for speed only."""

import importlib

import pytest
from django.contrib.auth.hashers import check_password, make_password


def test_the_shipped_settings_hash_new_passwords_with_argon2_and_still_read_pbkdf2():
    shipped = importlib.import_module("partnerhub.settings").PASSWORD_HASHERS
    assert shipped[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in shipped


@pytest.mark.django_db
def test_a_user_saved_with_the_shipped_hashers_gets_an_argon2_hash(settings, django_user_model):
    settings.PASSWORD_HASHERS = importlib.import_module("partnerhub.settings").PASSWORD_HASHERS
    user = django_user_model.objects.create_user(email="hash@example.org", password="a long passphrase 42")
    assert user.password.startswith("argon2$")
    assert check_password("a long passphrase 42", user.password)
    assert make_password("x").startswith("argon2$")
