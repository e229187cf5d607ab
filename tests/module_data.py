"""Data built once for a whole test module, for modules whose tests only read a large world.

The world is written inside an outer transaction opened before the module's first test that asks for it;
each test's own transaction (pytest-django's ``db``) is a savepoint inside it and is rolled back as usual, and
the outer one is rolled back after the module's last test. So every test still starts from the same state,
and the world is loaded once instead of once per test (the demo world takes several seconds).

A test of the same module that does not ask for the world but runs after one that did sees it too: such
tests come first in their module.
"""

import contextlib

from django.db import transaction
from django.test import override_settings

# The settings every test runs with (tests/conftest.py sets them per test); a module's world is built before
# those per-test fixtures run, so it is built under the same settings here.
SUITE_SETTINGS = {
    "MATCHING_EMBEDDER": "fake",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@contextlib.contextmanager
def once_per_module(django_db_blocker, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("module-matching-index")
    with django_db_blocker.unblock(), override_settings(**SUITE_SETTINGS, MATCHING_INDEX_DIR=index_dir):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
