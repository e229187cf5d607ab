"""Service functions: derived fields, validation, audit entries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.core.audit import history
from partnerhub.core.models import AuditEntry
from partnerhub.organisations import services as org_services
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships import services as p_services
from partnerhub.partnerships.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_saving_a_chinese_organisation_generates_pinyin_and_size_class():
    org = f.OrganisationFactory(name="扬州恒通汽车零部件有限公司", headcount=120, turnover_eur=30_000_000)
    assert org.name_latin == "Yangzhou Hengtong Qiche Lingbujian Youxiangongsi"
    assert org.size_class == "medium"


def test_a_corrected_transliteration_survives_later_saves():
    org = f.OrganisationFactory(name="扬州恒通汽车零部件有限公司")
    org.name_latin = "Yangzhou Hengtong Auto Parts"
    org_services.save_organisation(org, actor=None)
    org.headcount = 300
    org_services.save_organisation(org, actor=None)
    org.refresh_from_db()
    assert org.name_latin == "Yangzhou Hengtong Auto Parts"
    assert org.size_class == "large"


def test_renaming_regenerates_a_generated_transliteration():
    org = f.OrganisationFactory(name="扬州恒通")
    org.name = "南京恒通"
    org_services.save_organisation(org, actor=None)
    assert org.name_latin.startswith("Nanjing")


def test_size_class_override_wins_over_the_computed_class():
    org = f.OrganisationFactory(headcount=20, size_class_override="large")
    assert org.size_class_computed == "small"
    assert org.size_class == "large"


def test_saving_an_organisation_writes_an_audit_entry():
    org = f.OrganisationFactory()
    assert [e.action for e in history(org)] == ["organisation.created"]


def test_organisation_sectors_are_searchable_in_all_three_languages():
    org = f.OrganisationFactory(sector_codes=["62.01"])
    from partnerhub.organisations.search import search

    for query in ("Programmierungstätigkeiten", "computer programming", "计算机"):
        assert search(Organisation.objects.all(), query).filter(pk=org.pk).exists(), query


def test_invalid_organisation_is_rejected_and_nothing_is_saved():
    region = f.RegionFactory()
    agency = f.AgencyFactory()
    org = Organisation(slug="x", name="", kind="sme", region=region, country="DE", owner_agency=agency)
    with pytest.raises(ValidationError):
        org_services.save_organisation(org, actor=None)
    assert not Organisation.objects.filter(slug="x").exists()
    assert not AuditEntry.objects.exists()


def test_person_gets_pinyin_family_name_first():
    person = f.PersonFactory(family_name="王", given_name="晓明")
    assert person.name_latin == "Wang Xiaoming"
    assert person.full_name == "王晓明"


def test_recording_consent_keeps_the_time_and_an_audit_entry():
    person = f.PersonFactory(consent="unknown")
    org_services.record_consent(person, Person.Consent.WITHDRAWN, actor=None)
    person.refresh_from_db()
    assert person.consent == "withdrawn"
    assert person.consent_changed_at is not None
    assert history(person).first().action == "person.consent_changed"


def test_unknown_consent_state_is_refused():
    with pytest.raises(ValueError):
        org_services.record_consent(f.PersonFactory(), "maybe", actor=None)


def test_signing_a_draft_sets_date_status_and_validity():
    agreement = f.AgreementFactory(status="draft", signed_on=None)
    p_services.sign_agreement(
        agreement, signed_on=datetime.date(2019, 7, 1), place={"en": "Kaiserslautern"}, actor=None
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    assert agreement.valid_from == datetime.date(2019, 7, 1)
    assert str(agreement.signed_at_place) == "Kaiserslautern"


def test_only_a_draft_can_be_signed():
    agreement = f.AgreementFactory(status="active")
    with pytest.raises(ValidationError):
        p_services.sign_agreement(agreement, signed_on=datetime.date(2020, 1, 1), place={}, actor=None)


def test_a_terminated_agreement_cannot_be_reactivated():
    agreement = f.AgreementFactory(status="terminated")
    with pytest.raises(ValidationError):
        p_services.change_agreement_status(agreement, Agreement.Status.ACTIVE, actor=None)


def test_validity_cannot_end_before_it_starts():
    agreement = f.AgreementFactory.build(
        partnership=f.PartnershipFactory(),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        p_services.save_agreement(agreement, actor=None)
    assert "valid_until" in excinfo.value.message_dict


def test_agreement_past_its_validity_shows_as_expired():
    agreement = f.AgreementFactory(status="active", valid_until=datetime.date(2020, 1, 1))
    assert agreement.effective_status == "expired"
    assert not Agreement.objects.in_force().filter(pk=agreement.pk).exists()


def test_partnership_needs_two_different_regions():
    region = f.RegionFactory()
    partnership = f.PartnershipFactory.build(
        agency=f.AgencyFactory(), home_region=region, partner_region=region
    )
    with pytest.raises(ValidationError):
        p_services.save_partnership(partnership, actor=None)


def test_document_is_checked_by_content_not_by_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = f.AgreementFactory()
    fake = SimpleUploadedFile(
        "contract.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        p_services.attach_document(agreement, fake, title={"en": "x"}, language="en", actor=None)
    real = SimpleUploadedFile("scan.bin", b"%PDF-1.7\n...", content_type="application/octet-stream")
    document = p_services.attach_document(agreement, real, title={"en": "Scan"}, language="en", actor=None)
    assert document.file.read().startswith(b"%PDF-")


def test_oversized_document_is_refused(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(p_services, "MAX_DOCUMENT_BYTES", 10)
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 20)
    with pytest.raises(ValidationError):
        p_services.attach_document(f.AgreementFactory(), big, title={"en": "x"}, language="en", actor=None)


def test_an_agency_cannot_become_part_of_its_own_unit():
    from partnerhub.agencies.services import save_agency

    parent = f.AgencyFactory()
    unit = f.AgencyFactory(parent=parent)
    parent.parent = unit
    with pytest.raises(ValidationError):
        save_agency(parent, actor=None)


def test_keywords_typed_with_chinese_commas_become_a_list():
    from partnerhub.core.fields import TagListFormField

    assert TagListFormField(required=False).clean("复合材料，船舶、 Leichtbau, Leichtbau") == [
        "复合材料",
        "船舶",
        "Leichtbau",
    ]


def test_signatory_gets_a_transliteration():
    from partnerhub.partnerships.models import AgreementParty, Signatory

    agreement = f.AgreementFactory()
    party = AgreementParty.objects.create(agreement=agreement, name={"en": "Yangzhou"})
    signatory = Signatory.objects.create(
        agreement=agreement, party=party, name="张宝娟", title={"en": "Mayor"}
    )
    assert signatory.name_latin == "Zhang Baojuan"


def test_duplicates_are_found_by_website_and_by_e_mail_domain():
    from partnerhub.organisations.dedupe import find_duplicates

    org = f.OrganisationFactory(name="Lautertal Sensorik GmbH", website="https://www.sensorik.example.org")
    f.PersonFactory(organisation=org, email="info@mail.sensorik-gruppe.example.org")
    by_site = find_duplicates("Ganz anderer Name", website="http://sensorik.example.org/")
    assert [c.organisation for c in by_site] == [org]
    by_mail = find_duplicates("Noch ein Name", email="jan@mail.sensorik-gruppe.example.org")
    assert [c.organisation for c in by_mail] == [org]
    assert find_duplicates("Noch ein Name", email="jan@qq.com") == []
