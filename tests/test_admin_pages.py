"""The admin keeps opening: every registered model's list, add and change page, for the operator and each
staff role, in every language, without a server error.

The add and change pages of agreements and trips once crashed for every role (an i18nfield field in a plain
inline) and no test opened them; this one opens every page of every model, so a new model is covered too.
"""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.authz_world import build

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["superuser", "agency_staff", "partner_staff", "other_partner_staff"]
LANGUAGES = ["de", "en", "zh-hans"]


@pytest.fixture
def world(db, settings, tmp_path):
    return build(settings, tmp_path)


def admin_pages(language):
    """(model label, page, url) for every registered model; change pages for one stored instance."""
    pages = []
    with translation.override(language):
        for model in admin.site._registry:
            info = (model._meta.app_label, model._meta.model_name)
            pages.append((model._meta.label, "changelist", reverse("admin:{}_{}_changelist".format(*info))))
            try:
                pages.append((model._meta.label, "add", reverse("admin:{}_{}_add".format(*info))))
            except NoReverseMatch:  # an admin without an add page
                pass
            instance = model._default_manager.order_by("pk").first()
            if instance is not None:
                url = reverse("admin:{}_{}_change".format(*info), args=[instance.pk])
                pages.append((model._meta.label, "change", url))
    return pages


def test_every_registered_model_has_an_instance_so_its_change_page_is_opened(world):
    empty = [m._meta.label for m in admin.site._registry if not m._default_manager.exists()]
    assert not empty, f"add an instance of {empty} to tests/authz_world.py"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_admin_page_opens_without_a_server_error(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    errors, opened = [], 0
    # The operator in every language; each staff role in one (rotating), which the matrix complements.
    languages = LANGUAGES if role == "superuser" else [LANGUAGES[STAFF_ROLES.index(role) % len(LANGUAGES)]]
    for language in languages:
        for label, page, url in admin_pages(language):
            response = client.get(url)
            opened += response.status_code == 200
            if response.status_code >= 500:
                errors.append(f"{role} {language} {label} {page}: {response.status_code}")
    assert not errors, "\n".join(errors)
    assert opened, "no admin page opened at all: the role lost its admin access"


def without_add_page(user) -> set[str]:
    """Models whose admin offers no adding at all (records made by the platform: task results, ideas…)."""
    request = RequestFactory().get("/")
    request.user = user
    return {
        m._meta.label
        for m, model_admin in admin.site._registry.items()
        if not model_admin.has_add_permission(request)
    }


def test_the_operator_opens_every_page_of_every_model(world):
    operator = world.users["superuser"]
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    no_add = without_add_page(operator)
    refused = [
        f"{label} {page}: {status}"
        for label, page, url in admin_pages("de")
        if (status := client.get(url).status_code) != 200 and not (page == "add" and label in no_add)
    ]
    assert not refused, "\n".join(refused)
    assert "delegations.Delegation" not in no_add and "partnerships.Agreement" not in no_add
