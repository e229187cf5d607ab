"""Optimistic locking: a form saved over a newer version says so, keeps both texts and overwrites nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.core import editing
from partnerhub.profiles.models import CooperationProfile
from tests.clients import signed_in
from tests.formdata import form_data
from tests.test_profiles import draft

pytestmark = pytest.mark.django_db

STALE = {
    "de": "Jemand anderes hat diesen Datensatz gespeichert",
    "en": "Someone else saved this record while you were editing it",
    "zh-hans": "在您编辑期间，其他人保存了此记录",
}


def edit_url(profile, language):
    with translation.override(language):
        return reverse("profiles:edit", args=[profile.pk])


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_two_staff_editing_one_profile_lose_neither_text(world, member_a, agency_staff, language):
    profile = draft(world.private_org, member_a)
    url = edit_url(profile, language)
    first, second = signed_in(agency_staff), signed_in(member_a)
    first_form = form_data(first.get(url))
    second_form = form_data(second.get(url))

    first_form["summary_0"] = "Erste Fassung: Leichtbau für Schienenfahrzeuge"
    assert first.post(url, first_form).status_code == 302

    second_form["description_0"] = "Zweite Fassung: Wir suchen Partner in Jiangsu."
    page = second.post(url, second_form)
    html = page.content.decode()
    assert page.status_code == 200
    assert STALE[language] in html
    # the newer saved summary is shown, and the second editor's own text is still in the form
    assert "Erste Fassung: Leichtbau für Schienenfahrzeuge" in html
    assert "Zweite Fassung: Wir suchen Partner in Jiangsu." in html
    stored = CooperationProfile.objects.get(pk=profile.pk)
    assert stored.summary.localize("de") == "Erste Fassung: Leichtbau für Schienenfahrzeuge"
    assert "Zweite Fassung" not in str(stored.description.data)

    # saving again after reading the other text is a deliberate save over that version
    again = form_data(page)
    again["summary_0"] = "Erste Fassung: Leichtbau für Schienenfahrzeuge"
    assert second.post(url, again).status_code == 302
    stored = CooperationProfile.objects.get(pk=profile.pk)
    assert stored.summary.localize("de") == "Erste Fassung: Leichtbau für Schienenfahrzeuge"
    assert "Zweite Fassung" in str(stored.description.data)


def test_a_change_to_the_sectors_alone_makes_the_version_stale(world, member_a):
    profile = draft(world.private_org, member_a)
    before = editing.version_of(profile)
    profile.sectors.set([])
    assert editing.version_of(profile) != before


def test_the_version_ignores_bookkeeping_the_editor_never_sees(world, member_a):
    profile = draft(world.private_org, member_a)
    before = editing.version_of(profile)
    CooperationProfile.objects.filter(pk=profile.pk).update(search_document="anders")
    assert editing.version_of(profile) == before


def test_a_service_called_without_a_version_does_not_take_part(world, member_a):
    profile = draft(world.private_org, member_a)
    editing.ensure_current(profile, None)
    with pytest.raises(editing.StaleEdit):
        editing.ensure_current(profile, "0" * 32)


def test_sharing_a_partnership_makes_an_open_partnership_form_stale(world):
    before = editing.version_of(world.partnership)
    world.partnership.shared_with.add(world.other_agency)
    assert editing.version_of(world.partnership) != before
