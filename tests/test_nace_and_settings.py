import pytest

from partnerhub.conf import envbool, parse_email_url
from partnerhub.organisations import nace
from partnerhub.organisations.models import NaceActivity


@pytest.mark.django_db
def test_the_whole_nace_rev2_classification_is_loaded():
    counts = {level: NaceActivity.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 21, 2: 88, 3: 272, 4: 615}


@pytest.mark.django_db
def test_every_nace_entry_has_labels_in_three_languages_and_a_parent():
    assert not NaceActivity.objects.filter(name_en="").exists()
    assert not NaceActivity.objects.filter(name_de="").exists()
    assert not NaceActivity.objects.filter(name_zh="").exists()
    assert not NaceActivity.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert NaceActivity.objects.get(code="62.01").section == "J"


@pytest.mark.django_db
def test_nace_label_follows_the_active_language():
    from django.utils import translation

    activity = NaceActivity.objects.get(code="62.01")
    with translation.override("de"):
        assert activity.name == activity.name_de
    with translation.override("zh-hans"):
        assert activity.name == activity.name_zh


@pytest.mark.django_db
def test_loading_nace_again_changes_nothing():
    before = NaceActivity.objects.count()
    assert nace.load(NaceActivity) == before
    assert NaceActivity.objects.count() == before


def test_email_url_smtp_with_tls():
    config = parse_email_url("submission://user%40x:secret@mail.example.org")
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "user@x"
    assert config["EMAIL_USE_TLS"] is True


def test_email_url_console_is_the_default_kind():
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_email_url_with_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        parse_email_url("pigeon://loft")


def test_envbool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ValueError):
        envbool("X_FLAG", False)
