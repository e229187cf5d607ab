"""Agreements in the staff workspace: created and edited through the real pages, with parties, signatories,
documents and their versions, each document seen only by the audience it is meant for."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partnerhub.core.models import AuditEntry
from partnerhub.partnerships.agreements import services
from partnerhub.partnerships.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    DocumentVersion,
    Signatory,
)
from tests.clients import signed_in
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned agreement\n"


def pdf(name="mou.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def url(name, language, *args):
    with translation.override(language):
        return reverse(f"partnerships:{name}", args=args)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def fill_new_agreement(data, world):
    data["kind"] = "mou"
    data["title_0"] = "Absichtserklärung Kaiserslautern–Yangzhou"
    data["title_2"] = "凯泽斯劳滕–扬州合作备忘录"
    data["status"] = "signed"
    data["signed_on"] = "2026-05-04"
    data["signed_at_place_0"] = "Kaiserslautern"
    data["valid_from"] = "2026-05-04"
    data["valid_until"] = "2031-05-03"
    data["areas"] = ["business", "science"]
    data["goals_0"] = "Zusammenarbeit in Forschung und Wirtschaft"
    data["parties-0-name_0"] = "Stadt Kaiserslautern"
    data["parties-0-region"] = str(world.home_region.pk)
    data["parties-0-agency"] = str(world.home_agency.pk)
    data["parties-0-position"] = "1"
    data["parties-1-name_2"] = "扬州市人民政府"
    data["parties-1-region"] = str(world.partner_region.pk)
    data["parties-1-position"] = "2"
    data["signatories-0-party_row"] = "0"
    data["signatories-0-name"] = "Beate Kimmel"
    data["signatories-0-title_0"] = "Oberbürgermeisterin"
    data["signatories-1-party_row"] = "1"
    data["signatories-1-name"] = "张宝娟"
    data["signatories-1-title_2"] = "市长"
    data["signatories-1-position"] = "2"
    return data


@pytest.mark.parametrize(("language", "heading"), [("de", "Neue Vereinbarung"), ("zh-hans", "新建协议")])
def test_agency_staff_create_an_agreement_with_two_signatories_and_a_document(
    world, agency_staff, language, heading
):
    client = signed_in(agency_staff)
    detail = client.get(url("detail", language, world.partnership.slug)).content.decode()
    create = url("agreement_create", language, world.partnership.slug)
    assert create in detail  # "New agreement" starts from the partnership page
    page = client.get(create)
    assert heading in page.content.decode()
    response = client.post(create, fill_new_agreement(form_data(page), world))
    assert response.status_code == 302, response.content.decode()[:4000]

    agreement = Agreement.objects.latest("pk")
    assert agreement.title.localize("de") == "Absichtserklärung Kaiserslautern–Yangzhou"
    assert agreement.status == "signed"
    assert [str(p.name) for p in agreement.parties.all()] == ["Stadt Kaiserslautern", "扬州市人民政府"]
    kimmel, zhang = agreement.signatories.order_by("position")
    assert kimmel.party.region == world.home_region
    assert zhang.party.region == world.partner_region
    assert zhang.name_latin == "Zhang Baojuan"
    actions = set(AuditEntry.objects.filter(target_id=str(agreement.pk)).values_list("action", flat=True))
    assert {"agreement.created", "agreement.details_changed"} <= actions

    add = url("agreement_document_add", language, agreement.pk)
    assert add in client.get(response["Location"]).content.decode()
    data = form_data(client.get(add))
    data["title_0"] = "Unterzeichnete Fassung"
    data["language"] = "de"
    data["visibility"] = "shared"
    data["file"] = pdf()
    assert client.post(add, data).status_code == 302
    document = agreement.documents.get()
    assert document.visibility == "shared" and document.uploaded_by == agency_staff
    assert AuditEntry.objects.filter(
        action="agreement.document_attached", target_id=str(agreement.pk)
    ).exists()


def test_a_signatory_for_a_party_row_left_empty_is_refused_in_german(world, agency_staff):
    client = signed_in(agency_staff)
    create = url("agreement_create", "de", world.partnership.slug)
    data = fill_new_agreement(form_data(client.get(create)), world)
    data["parties-1-name_2"] = ""
    data["parties-1-region"] = ""
    data["parties-1-position"] = "0"
    page = client.post(create, data)
    assert page.status_code == 200
    assert "Die Vereinbarung wurde nicht gespeichert" in page.content.decode()
    assert Agreement.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Das Ende der Gültigkeit darf nicht vor ihrem Beginn liegen."),
        ("zh-hans", "有效期截止日期不能早于生效日期"),
    ],
)
def test_validity_ending_before_it_starts_is_refused_in_the_users_language(
    world, agency_staff, language, message
):
    client = signed_in(agency_staff)
    edit = url("agreement_edit", language, world.agreement.pk)
    data = form_data(client.get(edit))
    data["valid_from"] = "2026-01-01"
    data["valid_until"] = "2025-01-01"
    page = client.post(edit, data)
    assert page.status_code == 200
    assert message in page.content.decode()
    world.agreement.refresh_from_db()
    assert world.agreement.valid_until is None


def test_a_signatory_cannot_sign_for_a_party_of_another_agreement(world, agency_staff):
    other = AgreementParty.objects.create(agreement=world.unshared_agreement, name={"en": "Elsewhere"})
    signatory = Signatory(name="Somebody", title={"en": "Mayor"}, party=other)
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        services.save_agreement_with_parts(world.agreement, actor=agency_staff, signatories=[signatory])
    assert refused.value.message_dict["party"] == ["Die Vertragspartei muss zur selben Vereinbarung gehören."]
    assert not Signatory.objects.filter(name="Somebody").exists()


def test_editing_keeps_parties_removes_a_signatory_and_shares_with_a_partner(world, agency_staff):
    party = AgreementParty.objects.create(
        agreement=world.unshared_agreement, name={"de": "Stadt"}, position=1
    )
    Signatory.objects.create(agreement=world.unshared_agreement, party=party, name="Alt", title={"de": "OB"})
    client = signed_in(agency_staff)
    edit = url("agreement_edit", "de", world.unshared_agreement.pk)
    data = form_data(client.get(edit))
    assert data.value("signatories-0-party_row") == "0"
    data["signatories-0-DELETE"] = "on"
    data["shared_with"] = [str(world.partner_agency.pk)]
    assert client.post(edit, data).status_code == 302
    assert not world.unshared_agreement.signatories.exists()
    assert world.unshared_agreement.parties.get() == party
    assert list(world.unshared_agreement.shared_with.all()) == [world.partner_agency]
    actions = list(
        AuditEntry.objects.filter(target_id=str(world.unshared_agreement.pk)).values_list("action", flat=True)
    )
    assert "agreement.shared" in actions and "agreement.details_changed" in actions


def test_a_draft_saved_as_signed_is_recorded_as_signed(world, agency_staff):
    draft = Agreement.objects.create(
        partnership=world.partnership, kind="loi", title={"de": "Entwurf"}, status="draft"
    )
    client = signed_in(agency_staff)
    edit = url("agreement_edit", "de", draft.pk)
    data = form_data(client.get(edit))
    data["status"] = "signed"
    data["signed_on"] = "2026-06-01"
    assert client.post(edit, data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed" and str(draft.valid_from) == "2026-06-01"
    assert AuditEntry.objects.filter(action="agreement.signed", target_id=str(draft.pk)).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Jemand anderes hat diesen Datensatz gespeichert"), ("zh-hans", "其他人保存了此记录")],
)
def test_saving_over_a_newer_version_is_refused_and_keeps_both_texts(world, agency_staff, language, message):
    edit = url("agreement_edit", language, world.agreement.pk)
    first, second = signed_in(agency_staff), signed_in(agency_staff)
    first_form, second_form = form_data(first.get(edit)), form_data(second.get(edit))
    first_form["goals_0"] = "Erste Fassung der Ziele"
    assert first.post(edit, first_form).status_code == 302
    second_form["goals_0"] = "Zweite Fassung der Ziele"
    page = second.post(edit, second_form)
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert "Erste Fassung der Ziele" in html and "Zweite Fassung der Ziele" in html
    world.agreement.refresh_from_db()
    assert world.agreement.goals.localize("de") == "Erste Fassung der Ziele"


def test_a_signatory_added_meanwhile_makes_the_older_form_stale(world, agency_staff):
    edit = url("agreement_edit", "de", world.agreement.pk)
    client = signed_in(agency_staff)
    data = form_data(client.get(edit))
    party = AgreementParty.objects.create(agreement=world.agreement, name={"de": "Stadt"})
    Signatory.objects.create(agreement=world.agreement, party=party, name="Neu", title={"de": "OB"})
    data["goals_0"] = "Meine Ziele"
    page = client.post(edit, data)
    assert page.status_code == 200
    assert "Jemand anderes hat diesen Datensatz gespeichert" in page.content.decode()


def document(agreement, visibility, title="Scan", actor=None):
    return services.add_document(
        agreement, pdf(), title={"en": title}, language="en", visibility=visibility, actor=actor
    )


def test_a_second_version_keeps_the_first_and_becomes_current(world, agency_staff):
    first = document(world.agreement, "shared", actor=agency_staff)
    client = signed_in(agency_staff)
    page = url("agreement_document_edit", "de", first.pk)
    assert "Versionen" in client.get(page).content.decode()
    upload = url("agreement_document_version_add", "de", first.pk)
    response = client.post(upload, {"file": pdf("mou-v2.pdf", b"%PDF-1.4\n% second version\n")})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.number == 2 and first.filename.startswith("mou-v2")
    older = first.older_versions.get()
    assert older.number == 1 and older.uploaded_by == agency_staff
    assert b"second version" in b"".join(client.get(first.get_absolute_url()).streaming_content)
    assert b"scanned agreement" in b"".join(client.get(older.get_absolute_url()).streaming_content)
    html = client.get(page).content.decode()
    assert "mou-v2" in html and older.filename in html and "staff@home.example.org" in html
    entry = AuditEntry.objects.get(action="agreement.document_versioned")
    assert entry.data["number"] == 2


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "ist weder ein PDF noch ein Office-Dokument"), ("zh-hans", "不是 PDF")],
)
def test_a_file_of_a_refused_type_is_refused_with_a_message_in_the_users_language(
    world, agency_staff, language, message
):
    client = signed_in(agency_staff)
    add = url("agreement_document_add", language, world.agreement.pk)
    data = form_data(client.get(add))
    data["title_0"] = "Programm"
    data["visibility"] = "agency"
    data["file"] = SimpleUploadedFile("programm.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = client.post(add, data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not world.agreement.documents.exists()


@pytest.mark.parametrize(("language", "message"), [("de", "ist größer als"), ("zh-hans", "超过")])
def test_a_file_too_large_is_refused_as_a_new_version(world, agency_staff, settings, language, message):
    first = document(world.agreement, "agency", actor=agency_staff)
    from partnerhub.partnerships import services as steps

    big = pdf("gross.pdf", PDF + b"0" * 2048)
    original = steps.MAX_DOCUMENT_BYTES
    steps.MAX_DOCUMENT_BYTES = 1024
    try:
        page = signed_in(agency_staff).post(
            url("agreement_document_version_add", language, first.pk), {"file": big}
        )
    finally:
        steps.MAX_DOCUMENT_BYTES = original
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_partner_sees_only_the_documents_shared_with_it(world, agency_staff, partner_staff, other_staff):
    own = document(world.agreement, "agency", title="Internal notes")
    shared = document(world.agreement, "shared", title="Signed copy")
    public = document(world.agreement, "public", title="Press version")
    hidden_agreement_doc = document(world.unshared_agreement, "public", title="Draft scan")
    partner = signed_in(partner_staff)
    html = partner.get(url("agreement", "en", world.agreement.pk)).content.decode()
    assert "Signed copy" in html and "Press version" in html and "Internal notes" not in html
    assert partner.get(shared.get_absolute_url()).status_code == 200
    assert partner.get(own.get_absolute_url()).status_code == 404
    assert partner.get(hidden_agreement_doc.get_absolute_url()).status_code == 404
    # another agency and the public: only what is public, and never beyond the agreement's audience
    for client in (signed_in(other_staff), Client()):
        assert client.get(public.get_absolute_url()).status_code == 200
        assert client.get(shared.get_absolute_url()).status_code == 404
        assert client.get(hidden_agreement_doc.get_absolute_url()).status_code == 404
    home = signed_in(agency_staff)
    for doc in (own, shared, public, hidden_agreement_doc):
        assert home.get(doc.get_absolute_url()).status_code == 200
    assert set(AgreementDocument.objects.visible_to(partner_staff)) == {shared, public}


def test_an_older_version_is_seen_only_by_the_documents_audience(world, agency_staff, partner_staff):
    own = document(world.agreement, "agency", actor=agency_staff)
    services.add_document_version(own, pdf("v2.pdf"), actor=agency_staff)
    older = own.older_versions.get()
    assert signed_in(partner_staff).get(older.get_absolute_url()).status_code == 404
    assert signed_in(agency_staff).get(older.get_absolute_url()).status_code == 200


def test_changing_a_documents_audience_is_versioned_and_audited(world, agency_staff):
    doc = document(world.agreement, "agency", actor=agency_staff)
    client = signed_in(agency_staff)
    page = url("agreement_document_edit", "zh-hans", doc.pk)
    stale = form_data(client.get(page))
    fresh = form_data(client.get(page))
    fresh["visibility"] = "shared"
    assert client.post(page, fresh).status_code == 302
    doc.refresh_from_db()
    assert doc.visibility == "shared"
    assert AuditEntry.objects.filter(action="agreement.document_changed").exists()
    stale["title_0"] = "Anders"
    refused = client.post(page, stale)
    assert refused.status_code == 200 and "其他人保存了此记录" in refused.content.decode()


@pytest.mark.parametrize("persona", ["member_a", "partner_staff", "other_staff"])
def test_others_may_not_create_or_edit_agreements(world, request, persona):
    client = signed_in(request.getfixturevalue(persona))
    doc = document(world.agreement, "public")
    create = client.get(url("agreement_create", "de", world.partnership.slug))
    assert create.status_code in (403, 404)
    assert client.get(url("agreement_edit", "de", world.agreement.pk)).status_code == 403
    assert client.post(url("agreement_document_add", "de", world.agreement.pk), {}).status_code == 403
    assert (
        client.post(url("agreement_document_version_add", "de", doc.pk), {"file": pdf()}).status_code == 403
    )
    assert client.get(url("agreement_edit", "de", world.unshared_agreement.pk)).status_code in (403, 404)
    assert not DocumentVersion.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(world):
    client = Client()
    response = client.get(url("agreement_edit", "de", world.agreement.pk))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(url("agreement_create", "de", world.partnership.slug), {}).status_code == 302
    assert Agreement.objects.count() == 2


def test_the_new_agreement_link_is_only_for_those_who_may_create_one(world, agency_staff, partner_staff):
    create = url("agreement_create", "en", world.partnership.slug)
    assert create in signed_in(agency_staff).get(url("detail", "en", world.partnership.slug)).content.decode()
    assert (
        create
        not in signed_in(partner_staff).get(url("detail", "en", world.partnership.slug)).content.decode()
    )


def test_the_agreement_page_tells_its_history_in_the_readers_language(world, agency_staff, partner_staff):
    doc = document(world.agreement, "shared", title="Signed copy", actor=agency_staff)
    services.add_document_version(doc, pdf("v2.pdf"), actor=agency_staff)
    services.save_agreement_with_parts(world.agreement, actor=agency_staff, shared_with=[])
    html = signed_in(agency_staff).get(url("agreement", "de", world.agreement.pk)).content.decode()
    assert "hat Version 2 des Dokuments Signed copy hochgeladen." in html
    assert "nicht mehr mit" in html  # stopped sharing with the partner agency
    assert "agreement." not in html
    zh = signed_in(agency_staff).get(url("agreement", "zh-hans", world.agreement.pk)).content.decode()
    assert "上传了文件 Signed copy 的第 2 版" in zh
    # the history is for those who keep the agreement
    assert (
        "hat Version 2"
        not in signed_in(partner_staff).get(url("agreement", "de", world.agreement.pk)).content.decode()
    )


def test_the_form_offers_a_button_to_add_rows_from_a_template(world, agency_staff):
    html = signed_in(agency_staff).get(url("agreement_edit", "de", world.agreement.pk)).content.decode()
    assert 'id="parties-empty-row"' in html and 'data-add-row="signatories"' in html
    assert "formset-rows.js" in html and "<script>" not in html


def test_staff_see_who_really_reads_a_document(world, agency_staff):
    doc = document(world.unshared_agreement, "public", title="Draft scan")
    assert doc.effective_visibility == "agency"  # neither public nor shared: the agency alone
    html = signed_in(agency_staff).get(url("agreement", "de", world.unshared_agreement.pk)).content.decode()
    assert "nur unsere Agentur" in html
    assert document(world.agreement, "public").effective_visibility == "public"
