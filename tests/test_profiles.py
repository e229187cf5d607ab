"""Cooperation profiles: who sees and changes them, their review, expiry and pages, in every language."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

from partnerhub.core.audit import history
from partnerhub.pipeline import services as pipeline_services
from partnerhub.pipeline.stages import stages_for
from partnerhub.profiles import services
from partnerhub.profiles.models import CooperationProfile
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "en", "zh-hans"]
HTML_LANG = {"de": "de", "en": "en", "zh-hans": "zh-Hans"}
SUMMARY = {
    "de": "Leichtbauteile aus Faserverbund",
    "en": "Lightweight composite parts",
    "zh-hans": "复合材料轻量化部件",
}
REQUIRED = {
    "de": "Dieses Feld ist zwingend erforderlich.",
    "en": "This field is required.",
    "zh-hans": "这个字段是必填项。",
}
INVALID_CHOICE = {
    "de": "Bitte eine gültige Auswahl treffen.",
    "en": "Select a valid choice.",
    "zh-hans": "选择一个有效的选项",
}
Status = CooperationProfile.Status
Visibility = CooperationProfile.Visibility


def today():
    return timezone.localdate()


def url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def login(client, persona_name, request):
    if persona_name != "anonymous":
        client.force_login(request.getfixturevalue(persona_name))


def draft(org, actor, *, days=200, summary=None, **fields):
    values = {
        "profile_type": CooperationProfile.ProfileType.TECHNOLOGY_OFFER,
        "summary": summary or SUMMARY,
        "description": {"de": "Wir fertigen Bauteile im Vakuuminfusionsverfahren.", "en": "We build parts."},
        "keywords": ["Leichtbau", "复合材料"],
        "partnership_kinds": ["licence"],
        "visibility": Visibility.PUBLIC,
        **fields,
    }
    profile = CooperationProfile(
        organisation=org, valid_until=today() + datetime.timedelta(days=days), **values
    )
    return services.save_profile(profile, actor=actor, sector_codes=["22.29"])


def published(org, author, reviewer, **kwargs):
    profile = draft(org, author, **kwargs)
    services.submit_for_review(profile, actor=author)
    return services.publish_profile(profile, actor=reviewer)


def refreshed(profile):
    return CooperationProfile.objects.get(pk=profile.pk)


# --- who sees what -----------------------------------------------------------------------------------


@pytest.fixture
def profiles(world, member_a, member_b, agency_staff, partner_staff):
    """Profiles of the private organisation (home agency) and of the partner organisation, in each state."""
    home = world.private_org
    expiring = published(home, member_a, agency_staff, days=5)
    services.expire_due_profiles(today() + datetime.timedelta(days=10))
    in_review = draft(home, member_a, visibility=Visibility.AGENCY)
    services.submit_for_review(in_review, actor=member_a)
    pipeline_services.share_item(in_review, world.partner_agency, actor=agency_staff)
    return {
        "home_public": published(home, member_a, agency_staff),
        "home_partners": published(home, member_a, agency_staff, visibility=Visibility.PARTNERS),
        "home_agency": published(home, member_a, agency_staff, visibility=Visibility.AGENCY),
        "home_draft": draft(home, member_a),
        "home_review_shared": in_review,
        "home_expired": refreshed(expiring),
        "partner_public": published(world.partner_org, member_b, partner_staff),
        "partner_draft": draft(world.partner_org, member_b, visibility=Visibility.PARTNERS),
    }


HOME_ALL = {"home_public", "home_partners", "home_agency", "home_draft", "home_review_shared", "home_expired"}
EXPECTED_PROFILES = {
    "anonymous": {"home_public", "partner_public"},
    "member_a": HOME_ALL | {"partner_public"},
    "member_b": {"home_public", "partner_public", "partner_draft"},
    "agency_staff": HOME_ALL | {"partner_public"},
    "partner_staff": {
        "home_public",
        "home_partners",
        "home_review_shared",
        "partner_public",
        "partner_draft",
    },
    "other_staff": {"home_public", "home_partners", "partner_public"},
    "superuser": HOME_ALL | {"partner_public", "partner_draft"},
}


def test_each_role_sees_exactly_its_profiles(profiles, persona):
    name, user = persona
    visible = set(CooperationProfile.objects.visible_to(user).values_list("pk", flat=True))
    assert {key for key, p in profiles.items() if p.pk in visible} == EXPECTED_PROFILES[name]


def test_fixture_profiles_are_in_the_states_the_table_assumes(profiles):
    states = {key: p.status for key, p in profiles.items()}
    assert states["home_draft"] == states["partner_draft"] == Status.DRAFT
    assert states["home_review_shared"] == Status.IN_REVIEW
    assert states["home_expired"] == Status.EXPIRED
    assert states["home_public"] == states["partner_public"] == Status.PUBLISHED


def test_published_profile_past_its_date_is_hidden_before_the_task_expires_it(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    CooperationProfile.objects.filter(pk=profile.pk).update(valid_until=today() - datetime.timedelta(days=1))
    assert not CooperationProfile.objects.visible_to(None).filter(pk=profile.pk).exists()
    assert CooperationProfile.objects.visible_to(member_a).filter(pk=profile.pk).exists()


def test_profile_is_run_by_the_agency_that_maintains_the_organisation(world, member_a):
    profile = draft(world.private_org, member_a)
    assert profile.agency == world.home_agency
    assert profile.created_by == member_a


def test_members_edit_content_but_only_agency_staff_manage_the_pipeline(profiles, member_a, agency_staff):
    profile = profiles["home_public"]
    assert CooperationProfile.objects.content_editable_by(member_a).filter(pk=profile.pk).exists()
    assert not CooperationProfile.objects.editable_by(member_a).exists()
    assert CooperationProfile.objects.editable_by(agency_staff).filter(pk=profile.pk).exists()
    stage = stages_for(profile.agency)[1]
    with pytest.raises(PermissionDenied):
        pipeline_services.move_to_stage(profile, stage, actor=member_a)


def test_members_cannot_change_a_profile_while_it_is_reviewed(profiles, member_a):
    profile = profiles["home_review_shared"]
    assert not CooperationProfile.objects.content_editable_by(member_a).filter(pk=profile.pk).exists()
    profile.keywords = ["geändert"]
    with pytest.raises(PermissionDenied):
        services.save_profile(profile, actor=member_a)


def test_member_cannot_write_a_profile_for_another_organisation(world, member_b):
    with pytest.raises(PermissionDenied):
        draft(world.private_org, member_b)


# --- review workflow ---------------------------------------------------------------------------------


def profile_form_data(**overrides):
    data = {
        "profile_type": "technology_offer",
        "summary_0": SUMMARY["de"],
        "summary_1": SUMMARY["en"],
        "summary_2": "",
        "description_0": "Wir fertigen Bauteile im Vakuuminfusionsverfahren.",
        "description_1": "",
        "description_2": "",
        "sectors": ["22.29"],
        "keywords": "Leichtbau, 复合材料",
        "technologies": "Vakuuminfusion",
        "partnership_kinds": ["licence", "joint_venture"],
        "valid_until": (today() + datetime.timedelta(days=120)).isoformat(),
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_member_writes_submits_and_staff_publish_then_everyone_finds_it(
    client, world, member_a, agency_staff
):
    client.force_login(member_a)
    response = client.post(url("profiles:new", "en"), profile_form_data())
    profile = CooperationProfile.objects.get(organisation=world.private_org)
    assert response.status_code == 302
    assert profile.status == Status.DRAFT
    assert profile.partnership_kinds == ["licence", "joint_venture"]
    assert list(profile.sectors.values_list("code", flat=True)) == ["22.29"]
    client.logout()
    assert SUMMARY["en"] not in client.get(url("profiles:list", "en")).content.decode()

    client.force_login(member_a)
    client.post(url("profiles:submit", "en", profile.pk))
    assert refreshed(profile).status == Status.IN_REVIEW

    client.force_login(agency_staff)
    client.post(url("profiles:publish", "en", profile.pk))
    profile = refreshed(profile)
    assert profile.status == Status.PUBLISHED
    assert profile.published_at is not None
    assert profile.stage == stages_for(world.home_agency)[0]

    client.logout()
    assert SUMMARY["en"] in client.get(url("profiles:list", "en")).content.decode()
    actions = [entry.action for entry in history(profile)]
    assert {"profile.created", "profile.submitted", "profile.published"} <= set(actions)


def test_submitting_tells_the_agency_in_its_working_language(
    world, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    world.home_agency.email = "china@home.example.org"
    world.home_agency.language = "zh-hans"
    world.home_agency.save()
    profile = draft(world.private_org, member_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(profile, actor=member_a)
    assert [m.to for m in mailoutbox] == [["china@home.example.org"]]
    assert f"/zh-hans/profiles/detail/{profile.pk}/" in mailoutbox[0].body
    assert SUMMARY["zh-hans"] in mailoutbox[0].body


def test_rejecting_needs_a_note(world, member_a, agency_staff):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    with pytest.raises(ValidationError):
        services.reject_profile(profile, actor=agency_staff, note="   ")
    assert refreshed(profile).status == Status.IN_REVIEW
    services.reject_profile(profile, actor=agency_staff, note="Bitte Zielmärkte nennen.")
    profile = refreshed(profile)
    assert (profile.status, profile.review_note) == (Status.REJECTED, "Bitte Zielmärkte nennen.")


def test_reject_page_without_note_keeps_the_profile_in_review(client, world, member_a, agency_staff):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    client.force_login(agency_staff)
    response = client.post(url("profiles:reject", "en", profile.pk), {"note": ""}, follow=True)
    assert refreshed(profile).status == Status.IN_REVIEW
    assert "Please say why the profile is rejected." in response.content.decode()


def test_rejected_profile_can_be_edited_and_submitted_again(world, member_a, agency_staff):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    services.reject_profile(profile, actor=agency_staff, note="Zu vage.")
    profile.keywords = ["Leichtbau", "Schiffbau"]
    services.save_profile(profile, actor=member_a)
    services.submit_for_review(profile, actor=member_a)
    assert refreshed(profile).status == Status.IN_REVIEW


def test_partner_staff_cannot_publish_a_profile_of_another_agency(client, world, member_a, partner_staff):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    pipeline_services.share_item(profile, world.partner_agency, actor=None)
    with pytest.raises(PermissionDenied):
        services.publish_profile(profile, actor=partner_staff)
    client.force_login(partner_staff)
    assert client.post(url("profiles:publish", "en", profile.pk)).status_code == 403
    assert refreshed(profile).status == Status.IN_REVIEW


def test_member_cannot_publish_their_own_profile(world, member_a):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    with pytest.raises(PermissionDenied):
        services.publish_profile(profile, actor=member_a)


def test_content_change_of_a_published_profile_sends_it_back_to_review(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    profile.summary = {"en": "Lightweight composite parts, now also for rail vehicles"}
    services.save_profile(profile, actor=member_a)
    assert refreshed(profile).status == Status.IN_REVIEW
    assert not CooperationProfile.objects.visible_to(None).filter(pk=profile.pk).exists()


def test_saving_a_published_profile_unchanged_keeps_it_published(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    services.save_profile(refreshed(profile), actor=member_a, sector_codes=["22.29"])
    assert refreshed(profile).status == Status.PUBLISHED


def test_changing_the_sectors_of_a_published_profile_sends_it_back_to_review(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    services.save_profile(refreshed(profile), actor=member_a, sector_codes=["22.29", "30.11"])
    assert refreshed(profile).status == Status.IN_REVIEW


def test_agency_staff_correcting_a_published_profile_keep_it_published(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    profile.keywords = ["Leichtbau", "Faserverbund"]
    services.save_profile(profile, actor=agency_staff)
    assert refreshed(profile).status == Status.PUBLISHED


# --- expiry, reminders, renewal, withdrawal ----------------------------------------------------------


def test_expired_profiles_leave_the_public_list_and_are_audited(client, world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff, days=3)
    assert services.expire_due_profiles(today() + datetime.timedelta(days=3)) == 0
    assert services.expire_due_profiles(today() + datetime.timedelta(days=4)) == 1
    assert refreshed(profile).status == Status.EXPIRED
    assert "profile.expired" in [entry.action for entry in history(profile)]
    assert SUMMARY["en"] not in client.get(url("profiles:list", "en")).content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_expiry_reminder_is_sent_once_in_the_authors_language(
    world, member_a, agency_staff, mailoutbox, django_capture_on_commit_callbacks, settings, language
):
    settings.PROFILE_EXPIRY_REMINDER_DAYS = 14
    member_a.preferred_language = language
    member_a.save()
    soon = published(world.private_org, member_a, agency_staff, days=7)
    published(world.private_org, member_a, agency_staff, days=60)  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_reminders() == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [member_a.email]
    with translation.override(language):
        date = formats.date_format(soon.valid_until, "DATE_FORMAT")
    assert date in mail.body
    assert SUMMARY[language] in mail.subject
    assert f"/{language}/profiles/detail/{soon.pk}/" in mail.body
    assert refreshed(soon).reminder_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_reminders() == 0
    assert len(mailoutbox) == 1


def test_renewing_a_published_profile_keeps_it_published_with_a_new_reminder(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff, days=7)
    services.send_expiry_reminders()
    later = today() + datetime.timedelta(days=365)
    services.renew_profile(refreshed(profile), actor=member_a, valid_until=later)
    profile = refreshed(profile)
    assert (profile.status, profile.valid_until, profile.reminder_sent_at) == (Status.PUBLISHED, later, None)


def test_renewing_an_expired_profile_sends_it_to_review(world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff, days=2)
    services.expire_due_profiles(today() + datetime.timedelta(days=5))
    services.renew_profile(
        refreshed(profile), actor=member_a, valid_until=today() + datetime.timedelta(days=90)
    )
    assert refreshed(profile).status == Status.IN_REVIEW


def test_renewal_date_must_be_in_the_future(client, world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    with pytest.raises(ValidationError):
        services.renew_profile(profile, actor=member_a, valid_until=today())
    client.force_login(member_a)
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    response = client.post(url("profiles:renew", "en", profile.pk), {"valid_until": yesterday}, follow=True)
    assert "The validity date must be in the future." in response.content.decode()
    assert refreshed(profile).valid_until == profile.valid_until


def test_withdrawn_profile_disappears_and_cannot_be_renewed(client, world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    client.force_login(member_a)
    client.post(url("profiles:withdraw", "en", profile.pk))
    assert refreshed(profile).status == Status.WITHDRAWN
    assert not CooperationProfile.objects.visible_to(None).filter(pk=profile.pk).exists()
    with pytest.raises(ValidationError):
        services.renew_profile(
            refreshed(profile), actor=member_a, valid_until=today() + datetime.timedelta(days=9)
        )


def test_other_organisation_cannot_withdraw_a_profile(world, member_a, member_b, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    with pytest.raises(PermissionDenied):
        services.withdraw_profile(profile, actor=member_b)


def test_housekeeping_task_and_command_expire_profiles(world, member_a, agency_staff):
    from partnerhub.profiles.tasks import expire_profiles_task

    first = published(world.private_org, member_a, agency_staff)
    second = published(world.private_org, member_a, agency_staff)
    past = today() - datetime.timedelta(days=1)
    CooperationProfile.objects.filter(pk=first.pk).update(valid_until=past)
    expire_profiles_task.enqueue()
    assert refreshed(first).status == Status.EXPIRED
    CooperationProfile.objects.filter(pk=second.pk).update(valid_until=past)
    call_command("profiles_housekeeping")
    assert refreshed(second).status == Status.EXPIRED


# --- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def page_profiles(world, member_a, agency_staff):
    return {
        "public": published(world.private_org, member_a, agency_staff),
        "draft": draft(
            world.private_org, member_a, summary={"de": "Entwurf Sensorik", "en": "Draft sensors"}
        ),
    }


PAGES = {
    "list": lambda p: ("profiles:list", []),
    "detail_public": lambda p: ("profiles:detail", [p["public"].pk]),
    "detail_draft": lambda p: ("profiles:detail", [p["draft"].pk]),
    "new": lambda p: ("profiles:new", []),
    "edit_public": lambda p: ("profiles:edit", [p["public"].pk]),
    "edit_draft": lambda p: ("profiles:edit", [p["draft"].pk]),
}
OWN_SIDE = {"member_a", "agency_staff", "superuser"}
EXPECTED_STATUS = {
    "list": dict.fromkeys(PERSONAS, 200),
    "detail_public": dict.fromkeys(PERSONAS, 200),
    "detail_draft": {p: 200 if p in OWN_SIDE else 404 for p in PERSONAS},
    "new": {p: 200 for p in PERSONAS} | {"anonymous": 302, "other_staff": 403},
    "edit_public": {p: 200 if p in OWN_SIDE else 403 for p in PERSONAS} | {"anonymous": 302},
    "edit_draft": {p: 200 if p in OWN_SIDE else 404 for p in PERSONAS} | {"anonymous": 302},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_profile_page_answers_each_role_in_each_language(
    client, request, page_profiles, page, persona_name, language
):
    login(client, persona_name, request)
    name, args = PAGES[page](page_profiles)
    response = client.get(url(name, language, *args))
    expected = EXPECTED_STATUS[page][persona_name]
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    if expected != 200:
        return
    html = response.content.decode()
    assert f'<html lang="{HTML_LANG[language]}">' in html
    if page in ("list", "detail_public"):
        assert SUMMARY[language] in html
    if page in ("new", "edit_public", "edit_draft"):
        assert 'name="summary_0"' in html
    if page == "edit_public":
        assert f'value="{SUMMARY["de"]}"' in html


def test_contact_details_are_never_on_public_profile_pages(client, world, agency_staff):
    world.home_agency.email = "china@home.example.org"
    world.home_agency.save()
    profile = published(world.public_org, agency_staff, agency_staff)
    detail = client.get(url("profiles:detail", "en", profile.pk)).content.decode()
    listing = client.get(url("profiles:list", "en")).content.decode()
    for html in (detail, listing):
        assert world.person_public.email not in html
        assert world.person_public.family_name not in html
    assert "Introductions go through the agency" in detail
    assert "mailto:china@home.example.org" in detail


def test_public_profile_of_an_unlisted_organisation_does_not_name_it(client, world, member_a, agency_staff):
    profile = published(world.private_org, member_a, agency_staff)
    anonymous_html = client.get(url("profiles:detail", "en", profile.pk)).content.decode()
    assert world.private_org.name not in anonymous_html
    assert not client.get(url("profiles:list", "en"), {"q": "Verborgene"}).context["page"].object_list
    client.force_login(member_a)
    assert world.private_org.name in client.get(url("profiles:detail", "en", profile.pk)).content.decode()


def test_staff_see_review_actions_and_the_pipeline_panel(client, world, member_a, agency_staff):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    client.force_login(agency_staff)
    html = client.get(url("profiles:detail", "en", profile.pk)).content.decode()
    assert url("profiles:publish", "en", profile.pk) in html
    assert url("profiles:reject", "en", profile.pk) in html
    assert 'id="pipeline-heading"' in html
    client.force_login(member_a)
    html = client.get(url("profiles:detail", "en", profile.pk)).content.decode()
    assert url("profiles:publish", "en", profile.pk) not in html
    assert 'id="pipeline-heading"' not in html


def test_member_gets_403_editing_a_profile_in_review(client, world, member_a):
    profile = draft(world.private_org, member_a)
    services.submit_for_review(profile, actor=member_a)
    client.force_login(member_a)
    assert client.get(url("profiles:edit", "en", profile.pk)).status_code == 403


def test_actions_accept_only_post(client, world, member_a):
    profile = draft(world.private_org, member_a)
    client.force_login(member_a)
    assert client.get(url("profiles:submit", "en", profile.pk)).status_code == 405
    assert refreshed(profile).status == Status.DRAFT


@pytest.mark.parametrize("language", LANGUAGES)
def test_invalid_profile_form_explains_in_the_users_language_and_keeps_the_input(
    client, world, member_a, language
):
    client.force_login(member_a)
    data = profile_form_data(summary_0="", summary_1="", description_0="", sectors=["99.99"])
    response = client.post(url("profiles:new", language), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED[language] in html
    assert INVALID_CHOICE[language] in html
    assert 'value="Leichtbau, 复合材料"' in html
    assert 'value="Vakuuminfusion"' in html
    assert re.search(r'value="joint_venture"[^>]*checked', html)
    assert not re.search(r'value="supplier"[^>]*checked', html)
    assert not CooperationProfile.objects.exists()


def test_past_validity_date_is_reported_on_the_form(client, world, member_a):
    client.force_login(member_a)
    data = profile_form_data(valid_until=(today() - datetime.timedelta(days=3)).isoformat())
    html = client.post(url("profiles:new", "en"), data).content.decode()
    assert "The validity date must be in the future." in html
    assert not CooperationProfile.objects.exists()


# --- search ------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(world, member_a, member_b, agency_staff, partner_staff):
    german = published(world.private_org, member_a, agency_staff)
    chinese = published(
        world.partner_org,
        member_b,
        partner_staff,
        summary={"zh-hans": "寻求船舶舱口盖技术"},
        profile_type=CooperationProfile.ProfileType.TECHNOLOGY_REQUEST,
        keywords=["船舶配套"],
    )
    services.save_profile(chinese, actor=partner_staff, sector_codes=["30.11"])
    return german, chinese


def listed(client, **params):
    return {p.pk for p in client.get(url("profiles:list", "en"), params).context["page"].object_list}


def test_search_finds_german_chinese_and_sector_words(client, searchable):
    german, chinese = searchable
    assert listed(client, q="leichtbau") == {german.pk}
    assert listed(client, q="船舶") == {chinese.pk}
    assert listed(client, q="Schiffbau") == {chinese.pk}  # the German label of NACE 30.11
    assert listed(client, q="chuanbo") == {chinese.pk}


def test_filters_by_type_sector_and_region(client, world, searchable):
    german, chinese = searchable
    assert listed(client, profile_type="technology_request") == {chinese.pk}
    assert listed(client, sector="22") == {german.pk}
    assert listed(client, sector="C") == {german.pk, chinese.pk}
    assert listed(client, region=world.partner_region.slug) == {chinese.pk}


@pytest.mark.parametrize("language", LANGUAGES)
def test_invalid_filter_is_reported_and_valid_ones_still_apply(client, searchable, language):
    german, _chinese = searchable
    response = client.get(url("profiles:list", language), {"q": "Leichtbau", "profile_type": "gigantic"})
    html = response.content.decode()
    assert INVALID_CHOICE[language] in html
    assert 'value="Leichtbau"' in html
    assert {p.pk for p in response.context["page"].object_list} == {german.pk}


def test_list_answers_htmx_with_the_results_only(client, searchable):
    response = client.get(url("profiles:list", "en"), {"q": "leichtbau"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert SUMMARY["en"] in html


# --- demo --------------------------------------------------------------------------------------------


def test_demo_profiles_cover_every_type_status_and_stage(db):
    from partnerhub.agencies.models import Agency
    from partnerhub.demo import world as demo

    demo.load()
    profiles = CooperationProfile.objects.all()
    assert 14 <= profiles.count() <= 20
    assert set(profiles.values_list("status", flat=True)) == set(Status.values)
    assert set(profiles.values_list("profile_type", flat=True)) == set(CooperationProfile.ProfileType.values)
    wfk = Agency.objects.get(slug="wfk-kaiserslautern")
    used = set(profiles.filter(agency=wfk).values_list("stage__key", flat=True))
    assert {stage.key for stage in stages_for(wfk)} <= used
    chinese = profiles.filter(organisation__country="CN", agency__slug="yangzhou-commerce")
    assert chinese and all(p.summary.data.get("zh-hans") for p in chinese)
    german = profiles.filter(organisation__country="DE")
    assert german and all(p.summary.data.get("de") for p in german)


# --- admin -------------------------------------------------------------------------------------------


def test_admin_saves_through_the_service_and_indexes_the_profile(client, world, member_a, superuser):
    profile = draft(world.private_org, member_a)
    client.force_login(superuser)
    data = {
        "organisation": world.private_org.pk,
        "profile_type": "technology_offer",
        "summary_0": SUMMARY["de"],
        "summary_1": SUMMARY["en"],
        "summary_2": "",
        "description_0": "Wir fertigen Bauteile.",
        "description_1": "",
        "description_2": "",
        "sectors": ["30.11"],
        "keywords": "Leichtbau, Wasserstoff",
        "technologies": "",
        "partnership_kinds": ["licence"],
        "target_regions": [],
        "visibility": "public",
        "valid_until": profile.valid_until.isoformat(),
    }
    response = client.post(url("admin:profiles_cooperationprofile_change", "en", profile.pk), data)
    assert response.status_code == 302
    profile = refreshed(profile)
    assert profile.keywords == ["Leichtbau", "Wasserstoff"]
    assert "wasserstoff" in profile.search_document
    assert "schiffbau" in profile.search_document  # NACE 30.11, set by the admin's related-field save
    assert "profile.updated" in [entry.action for entry in history(profile)]


def test_admin_lists_only_profiles_the_staff_member_may_see(client, profiles, partner_staff):
    from django.contrib.auth.models import Permission

    partner_staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="profiles"))
    client.force_login(partner_staff)
    response = client.get(url("admin:profiles_cooperationprofile_changelist", "en"))
    shown = {p.pk for p in response.context["cl"].result_list}
    expected = {profiles[key].pk for key in EXPECTED_PROFILES["partner_staff"]}
    assert shown == expected


def test_a_content_save_cannot_change_the_status(world, member_a):
    profile = draft(world.private_org, member_a)
    profile.status = Status.PUBLISHED
    services.save_profile(profile, actor=member_a)
    assert refreshed(profile).status == Status.DRAFT
