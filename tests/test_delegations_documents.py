"""Trip documents: badges and letters set Chinese names in an embedded CJK font; the XLSX holds the answers."""

import datetime
import io
import itertools
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pypdf.generic import ContentStream

from partnerhub.delegations.documents import services as documents
from partnerhub.delegations.models import Delegation, ProgrammeItem, Registration, RegistrationQuestion, Stop
from partnerhub.privacy.models import PrivacyNotice

pytestmark = pytest.mark.django_db


_emails = itertools.count()


def url(name, language="en", *args):
    with translation.override(language):
        return reverse(f"delegations:{name}", args=args)


def register(delegation, family, given="", email=None, status=Registration.Status.CONFIRMED, **kwargs):
    return Registration.objects.create(
        delegation=delegation,
        family_name=family,
        given_name=given,
        organisation_name=kwargs.pop("organisation_name", "扬州恒通汽车零部件有限公司"),
        email=email or f"person{next(_emails)}@example.org",
        status=status,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
        **kwargs,
    )


@pytest.fixture
def outgoing(world):
    trip = world.delegation
    trip.direction = Delegation.Direction.OUTGOING
    trip.title = {"en": "Spring visit to Yangzhou", "zh-hans": "春季扬州访问"}
    trip.save()
    Stop.objects.create(
        delegation=trip,
        region=world.partner_region,
        arrival=trip.start_date,
        departure=trip.end_date,
        venue={"en": "Grand Hotel"},
        time_zone="Asia/Shanghai",
    )
    return trip


@pytest.fixture
def wang(outgoing):
    return register(outgoing, "王", "晓明", answers={"passport_number": "EA1234567", "diet": "vegetarian"})


def pdf_text(data: bytes) -> str:
    """The text of a PDF, decoded through each font's ToUnicode map.

    pypdf's and pdfminer's own extract_text() read the two-byte codes of a font with an embedded encoding
    CMap (as fpdf2 writes for CID-keyed OpenType fonts such as Noto Sans SC) one byte at a time
    (pdfminer.six#1072), so the codes are decoded here as the PDF specification says: two bytes each.
    """
    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        maps = {}
        for name, ref in fonts.items():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            maps[name] = {
                int(code, 16): bytes.fromhex(uni).decode("utf-16-be")
                for code, uni in re.findall(
                    r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap.split("beginbfchar", 1)[-1]
                )
            }
        current = {}
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = maps[operands[0]]
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for s in strings:
                    if isinstance(s, (int, float)):
                        continue
                    raw = s.original_bytes if hasattr(s, "original_bytes") else bytes(s)
                    out.append(
                        "".join(
                            current.get(int.from_bytes(raw[i : i + 2]), "") for i in range(0, len(raw), 2)
                        )
                    )
            elif operator in (b"ET", b"T*", b"Td", b"TD"):
                out.append("\n")
    return "".join(out)


def embedded_font_names(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            descendant = ref.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor, "font is not embedded"
            names.add(str(descendant["/BaseFont"]))
    return names


def test_badge_sets_the_chinese_name_in_characters_and_in_pinyin(wang):
    data = documents.badge_pdf([wang])
    text = pdf_text(data)
    assert "王晓明" in text
    assert "Wang Xiaoming" in text
    assert "扬州恒通汽车零部件有限公司" in text
    assert "Spring visit to Yangzhou" in text and "{" not in text
    assert any(name.endswith("+NotoSansSC") for name in embedded_font_names(data))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_badge_text_is_what_a_pdf_viewer_copies(wang, tmp_path):
    path = tmp_path / "badge.pdf"
    path.write_bytes(documents.badge_pdf([wang]))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "王晓明" in text and "Wang Xiaoming" in text


def test_badge_names_the_head_of_delegation(outgoing, world):
    outgoing.leader = world.person_public
    outgoing.save()
    julia = register(
        outgoing, "Becker", "Julia", person=world.person_public, organisation_name="Öffentliche GmbH"
    )
    text = pdf_text(documents.badge_pdf([julia]))
    assert "Julia Becker" in text
    assert "Head of delegation" in text


def test_a_character_the_font_lacks_is_an_error_not_an_empty_box(outgoing):
    person = register(outgoing, "王", "\U0002a6a5")  # outside Noto Sans SC's coverage
    with pytest.raises(documents.DocumentsUnavailable, match="U\\+2A6A5"):
        documents.badge_pdf([person])


def test_a_missing_font_package_is_explained(monkeypatch):
    monkeypatch.setattr(documents, "FONT_PACKAGE", "no_such_font_package")
    with pytest.raises(documents.DocumentsUnavailable, match=documents.FONT_DISTRIBUTION):
        documents.font_path()
    assert any(documents.FONT_DISTRIBUTION in reason for reason in documents.unavailable_reasons())


def test_letter_invites_the_participant_with_passport_and_itinerary(wang):
    text = pdf_text(documents.invitation_letter_pdf(wang))
    assert "Wang Xiaoming (王晓明)" in text
    assert "EA1234567" in text
    assert "Spring visit to Yangzhou" in text
    assert "China" in text  # the destination's visa section, and the itinerary stop
    assert "Grand Hotel" in text
    assert "{" not in text


@pytest.mark.parametrize(
    "language, phrases",
    [
        (
            "de",
            ["Einladungsschreiben", "Reisepassnummer", "Mit freundlichen Grüßen", "Wang Xiaoming (王晓明)"],
        ),
        ("zh-hans", ["邀请函", "护照号码", "姓名", "王晓明（Wang Xiaoming）", "中国"]),
    ],
)
def test_letters_are_written_in_german_and_chinese_too(wang, language, phrases):
    text = pdf_text(documents.invitation_letter_pdf(wang, language))
    for phrase in phrases:
        assert phrase in text.replace("\n", ""), phrase
    assert "EA1234567" in text and "{" not in text
    assert "Yours faithfully" not in text


def test_staff_choose_the_letters_language_on_the_documents_page(client, agency_staff, wang):
    client.force_login(agency_staff)
    trip = wang.delegation
    page = client.get(url("documents_index", "zh-hans", trip.slug)).content.decode()
    base = url("documents_letter", "zh-hans", trip.slug, wang.pk)
    for language in ("en", "de", "zh-hans"):
        assert f"{base}?lang={language}" in page
    letter = client.get(f"{base}?lang=de")
    assert letter.status_code == 200 and "Einladungsschreiben" in pdf_text(letter.content)
    assert letter["Content-Disposition"].endswith('-de.pdf"')
    unknown = client.get(f"{base}?lang=xx")
    assert "Invitation letter" in pdf_text(unknown.content)


def test_participant_list_holds_names_answers_and_the_programme(outgoing, wang):
    RegistrationQuestion.objects.create(delegation=outgoing, key="passport_number", label={"en": "Passport"})
    register(
        outgoing, "Becker", "Julia", status=Registration.Status.WAITING, answers={"note": "=HYPERLINK(1)"}
    )
    start = datetime.datetime(2027, 5, 3, 2, 0, tzinfo=datetime.UTC)
    ProgrammeItem.objects.create(
        delegation=outgoing,
        kind=ProgrammeItem.Kind.COMPANY_VISIT,
        title={"en": "Factory visit"},
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Asia/Shanghai",
    )
    book = openpyxl.load_workbook(io.BytesIO(documents.participants_xlsx(outgoing)))
    people, programme = book.worksheets
    rows = [[c.value for c in row] for row in people.iter_rows()]
    header = rows[0]
    assert header[:5] == ["Name", "Latin name", "Organisation", "E-mail", "Status"]
    assert header[5:] == ["Passport", "diet", "note"]
    assert people["A1"].font.bold and people.freeze_panes == "A2"
    wang_row = next(r for r in rows if r[0] == "王晓明")
    assert wang_row[1] == "Wang Xiaoming" and wang_row[5] == "EA1234567" and wang_row[6] == "vegetarian"
    becker_row = next(r for r in rows if r[0] == "Julia Becker")
    assert becker_row[4] == "on the waiting list"
    assert people.cell(row=rows.index(becker_row) + 1, column=8).data_type == "s"  # text, not a formula
    assert programme["E2"].value == "Factory visit"
    assert programme["A2"].value == datetime.datetime(2027, 5, 3, 10, 0)  # Shanghai wall-clock time


def test_staff_download_badges_letters_and_the_list(client, agency_staff, wang):
    client.force_login(agency_staff)
    trip = wang.delegation
    badges = client.get(url("documents_badges", "en", trip.slug))
    assert badges.status_code == 200 and badges["Content-Type"] == "application/pdf"
    assert "王晓明" in pdf_text(badges.content)
    letter = client.get(url("documents_letter", "en", trip.slug, wang.pk))
    assert letter.status_code == 200 and "EA1234567" in pdf_text(letter.content)
    sheet = client.get(url("documents_participants", "en", trip.slug))
    assert sheet.status_code == 200 and sheet["Cache-Control"] == "private, no-store"


def test_badges_and_letters_leave_out_waiting_and_cancelled_registrations(
    client, agency_staff, outgoing, wang
):
    waiting = register(outgoing, "Klein", "Anna", status=Registration.Status.WAITING)
    client.force_login(agency_staff)
    text = pdf_text(client.get(url("documents_badges", "en", outgoing.slug)).content)
    assert "王晓明" in text and "Klein" not in text
    assert client.get(url("documents_letter", "en", outgoing.slug, waiting.pk)).status_code == 404


def test_letters_are_404_for_an_incoming_trip(client, agency_staff, world):
    guest = register(world.delegation, "王", "晓明")
    client.force_login(agency_staff)
    assert client.get(url("documents_letter", "en", world.delegation.slug, guest.pk)).status_code == 404


def test_a_letter_for_another_trips_registration_is_404(client, agency_staff, outgoing, world):
    from tests.factories import DelegationFactory

    other = DelegationFactory(partnership=world.partnership, direction=Delegation.Direction.OUTGOING)
    stranger = register(other, "Li", "Na")
    client.force_login(agency_staff)
    assert client.get(url("documents_letter", "en", outgoing.slug, stranger.pk)).status_code == 404


@pytest.mark.parametrize("name", ["member_a", "member_b", "partner_staff", "other_staff"])
def test_who_may_not_edit_the_trip_gets_404(client, request, name, wang):
    client.force_login(request.getfixturevalue(name))
    trip = wang.delegation
    for response in (
        client.get(url("documents_index", "en", trip.slug)),
        client.get(url("documents_badges", "en", trip.slug)),
        client.get(url("documents_participants", "en", trip.slug)),
        client.get(url("documents_letter", "en", trip.slug, wang.pk)),
    ):
        assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, wang):
    response = client.get(url("documents_badges", "en", wang.delegation.slug))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_documents_page_renders_in_each_language(client, agency_staff, wang, language):
    client.force_login(agency_staff)
    response = client.get(url("documents_index", language, wang.delegation.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("documents_letter", language, wang.delegation.slug, wang.pk) in html
    assert url("documents_badges", language, wang.delegation.slug) in html


def test_documents_page_says_what_to_install_when_the_font_is_missing(
    client, agency_staff, wang, monkeypatch
):
    monkeypatch.setattr(documents, "FONT_PACKAGE", "no_such_font_package")
    client.force_login(agency_staff)
    page = client.get(url("documents_index", "en", wang.delegation.slug))
    assert page.status_code == 200 and documents.FONT_DISTRIBUTION in page.content.decode()
    badges = client.get(url("documents_badges", "en", wang.delegation.slug))
    assert badges.status_code == 503 and documents.FONT_DISTRIBUTION in badges.content.decode()
