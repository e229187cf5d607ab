"""Trip documents: name badges and visa invitation letters (PDF), the participant list (XLSX).

PDFs are drawn with fpdf2, which is pure Python and embeds the font itself, so a fresh machine needs no
system library (decisions/0010). Every name is set in Noto Sans SC, which covers Chinese characters and
Latin letters alike; it ships inside the Python package ``pylopdf-fonts-zh-cn`` and is loaded from there,
never downloaded. When the library or the font is missing, or a name holds a character the font has no
glyph for, a :class:`DocumentsUnavailable` explains what to do instead of printing empty boxes.
"""

from __future__ import annotations

import datetime
import importlib.resources
import io
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from i18nfield.strings import LazyI18nString

from partnerhub.engines.transliteration import format_person_name, transliterate_person

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_DISTRIBUTION = "pylopdf-fonts-zh-cn"
FONT_FILE = "NotoSansSC-Regular.otf"
FONT_FAMILY = "NotoSansSC"

# Answers that belong in a visa letter when the organiser asked for them.
LETTER_ANSWERS = (
    ("passport_number", gettext_noop("Passport number")),
    ("date_of_birth", gettext_noop("Date of birth")),
    ("nationality", gettext_noop("Nationality")),
)
# English is what visa sections read everywhere; German and Chinese letters are offered beside it for the
# authorities and hosts that ask for their own language.
LETTER_LANGUAGE = "en"
LETTER_LANGUAGES = ("de", "en", "zh-hans")

INK = (30, 30, 30)
MUTED = (100, 100, 100)
ACCENT = (0, 84, 147)


class DocumentsUnavailable(RuntimeError):
    """A document cannot be made on this machine; the message says what to install or correct."""


# ---------------------------------------------------------------------------------------------- checks


def font_path() -> Path:
    """The CJK font file inside its installed package."""
    try:
        folder = importlib.resources.files(FONT_PACKAGE)
    except ModuleNotFoundError as exc:
        raise DocumentsUnavailable(_font_missing()) from exc
    path = Path(str(folder / FONT_FILE))
    if not path.is_file():
        raise DocumentsUnavailable(_font_missing())
    return path


def _font_missing() -> str:
    return _(
        "The Chinese font (Noto Sans SC) is not installed. Install the Python package %(package)s, "
        "e.g. by running “pip install -e .” in the project again; no system package is needed."
    ) % {"package": FONT_DISTRIBUTION}


def unavailable_reasons() -> list[str]:
    """What is missing for the documents, in words for the person who installs partnerhub."""
    reasons = []
    try:
        import fpdf  # noqa: F401
    except ImportError:
        reasons.append(
            _(
                "The PDF library fpdf2 is not installed. Run “pip install -e .” in the project again "
                "(or “pip install fpdf2”); no system package is needed."
            )
        )
    try:
        font_path()
    except DocumentsUnavailable as exc:
        reasons.append(str(exc))
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        reasons.append(
            _(
                "The spreadsheet library openpyxl is not installed. Run “pip install -e .” in the project again."
            )
        )
    return reasons


# ----------------------------------------------------------------------------------------------- names


def _text(value, language: str | None = None) -> str:
    """A multilingual value (LazyI18nString, or the dict assigned before a save) as plain text."""
    if isinstance(value, dict):
        value = LazyI18nString(value)
    if isinstance(value, LazyI18nString):
        return value.localize(language) if language else str(value)
    return str(value or "")


def own_script_name(registration) -> str:
    """王晓明 or "Julia Becker": family name first without a space for Chinese names."""
    return format_person_name(registration.family_name, registration.given_name)


def latin_name(registration) -> str:
    """The Latin form the person gave, else the pinyin transliteration ("Wang Xiaoming")."""
    return registration.name_latin or transliterate_person(registration.family_name, registration.given_name)


def _leader_person_ids(delegation) -> set[int]:
    ids = set(delegation.members.filter(is_leader=True).values_list("person_id", flat=True))
    if delegation.leader_id:
        ids.add(delegation.leader_id)
    return ids


def role_of(registration, leader_ids: set[int]) -> str:
    if registration.person_id and registration.person_id in leader_ids:
        return _("Head of delegation")
    return _("Delegation member")


# ------------------------------------------------------------------------------------------------- PDF


def _new_pdf(page_format):
    try:
        from fpdf import FPDF
    except ImportError as exc:
        raise DocumentsUnavailable("; ".join(unavailable_reasons())) from exc
    pdf = FPDF(format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_creator("partnerhub")
    pdf.add_font(FONT_FAMILY, fname=str(font_path()))
    return pdf


def _finish(pdf) -> bytes:
    missing = sorted({cp for font in pdf.fonts.values() for cp in getattr(font, "missing_glyphs", [])})
    if missing:
        chars = " ".join(f"{chr(cp)} (U+{cp:04X} {unicodedata.name(chr(cp), '?')})" for cp in missing[:10])
        raise DocumentsUnavailable(
            _("The font has no glyph for %(chars)s. Please correct the name or text that contains it.")
            % {"chars": chars}
        )
    return bytes(pdf.output())


def _fit(pdf, text: str, width: float, size: float, smallest: float = 8) -> None:
    """Set the largest font size up to ``size`` at which ``text`` fits into ``width`` mm on one line."""
    pdf.set_font(FONT_FAMILY, size=size)
    while size > smallest and pdf.get_string_width(text) > width:
        size -= 1
        pdf.set_font(FONT_FAMILY, size=size)


BADGE_WIDTH, BADGE_HEIGHT = 148, 105  # A6 landscape


def badge_pdf(registrations: Sequence) -> bytes:
    """One A6 badge per registration: name in its own script large, Latin name, organisation, trip, role."""
    pdf = _new_pdf((BADGE_HEIGHT, BADGE_WIDTH))
    pdf.set_title(_("Name badges"))
    leaders: dict[int, set[int]] = {}
    margin = 10
    inner = BADGE_WIDTH - 2 * margin
    for registration in registrations:
        trip = registration.delegation
        if trip.pk not in leaders:
            leaders[trip.pk] = _leader_person_ids(trip)
        pdf.add_page(orientation="L")
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, BADGE_WIDTH, 14, style="F")
        pdf.set_text_color(255, 255, 255)
        title = _text(trip.title)
        _fit(pdf, title, inner, 12)
        pdf.set_xy(margin, 3)
        pdf.cell(inner, 8, title, align="C")

        own, latin = own_script_name(registration), latin_name(registration)
        pdf.set_text_color(*INK)
        _fit(pdf, own, inner, 40)
        pdf.set_xy(margin, 24)
        pdf.cell(inner, 20, own, align="C")
        y = 46
        if latin and latin != own:
            _fit(pdf, latin, inner, 20)
            pdf.set_xy(margin, y)
            pdf.cell(inner, 10, latin, align="C")
            y += 12
        if registration.organisation_name:
            pdf.set_text_color(*MUTED)
            _fit(pdf, registration.organisation_name, inner, 13)
            pdf.set_xy(margin, y + 2)
            pdf.cell(inner, 8, registration.organisation_name, align="C")

        role = role_of(registration, leaders[trip.pk])
        pdf.set_fill_color(235, 240, 246)
        pdf.rect(0, BADGE_HEIGHT - 16, BADGE_WIDTH, 16, style="F")
        pdf.set_text_color(*ACCENT)
        _fit(pdf, role, inner, 14)
        pdf.set_xy(margin, BADGE_HEIGHT - 13)
        pdf.cell(inner, 10, role, align="C")
    if not pdf.pages:
        raise ValueError("badge_pdf() needs at least one registration")
    return _finish(pdf)


def _address_lines(agency) -> list[str]:
    lines = [_localized(agency.name)]
    org = agency.organisation
    if org is not None:
        lines += [line for line in (org.street, f"{org.postal_code} {org.city}".strip()) if line]
        if org.country:
            lines.append(str(org.country.name))
    contact = " – ".join(x for x in (agency.email, agency.website) if x)
    if contact:
        lines.append(contact)
    return lines


def _localized(value) -> str:
    """A multilingual value in the language of the letter being written (the active one)."""
    return _text(value, translation.get_language() or LETTER_LANGUAGE)


def _day(value: datetime.date) -> str:
    """A date as the letter's language writes it: "7 December 2026", "7. Dezember 2026", "2026年12月7日"."""
    language = translation.get_language() or LETTER_LANGUAGE
    return date_format(value, "j F Y" if language == "en" else "DATE_FORMAT")


def _destination_countries(delegation, stops) -> list[str]:
    regions = [stop.region for stop in stops] or list(delegation.destinations.all())
    return list(dict.fromkeys(str(region.country.name) for region in regions if region.country))


def invitation_letter_pdf(registration, language: str = LETTER_LANGUAGE) -> bytes:
    """A formal letter from the organising agency asking the visa section to admit the participant.

    Only outgoing trips need one. The letter is written in ``language`` (German, English or Chinese), with
    the name in the person's own script beside the Latin one — in a Chinese letter the own script first.
    """
    if language not in LETTER_LANGUAGES:
        raise ValueError(f"Letters are written in {', '.join(LETTER_LANGUAGES)}, not {language!r}.")
    delegation = registration.delegation
    if delegation.direction != delegation.Direction.OUTGOING:
        raise ValueError("Invitation letters are only written for outgoing trips.")
    agency = delegation.partnership.agency
    stops = list(delegation.stops.select_related("region"))
    with translation.override(language):
        pdf = _new_pdf("A4")
        pdf.set_title(_("Invitation letter"))
        pdf.set_margins(25, 20, 20)
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_page()
        width = pdf.epw

        pdf.set_text_color(*ACCENT)
        for index, line in enumerate(_address_lines(agency)):
            pdf.set_font(FONT_FAMILY, size=14 if index == 0 else 9)
            pdf.multi_cell(width, 7 if index == 0 else 4.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT_FAMILY, size=10)
        pdf.multi_cell(width, 5, _day(datetime.date.today()), align="R", new_x="LMARGIN", new_y="NEXT")
        countries = _destination_countries(delegation, stops)
        addressee = (
            _("To the visa section of the embassy or consulate of %(countries)s")
            % {"countries": ", ".join(countries)}
            if countries
            else _("To the visa section concerned")
        )
        pdf.multi_cell(width, 5, addressee, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)

        title = _localized(delegation.title)
        pdf.set_font(FONT_FAMILY, size=12)
        pdf.multi_cell(
            width, 6, _("Invitation letter: %(trip)s") % {"trip": title}, new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(3)
        pdf.set_font(FONT_FAMILY, size=10)
        own, latin = own_script_name(registration), latin_name(registration)
        if own == latin:
            name = latin
        else:
            name = f"{own}（{latin}）" if language == "zh-hans" else f"{latin} ({own})"
        body = _(
            '%(agency)s is organising the business delegation "%(trip)s" from %(start)s to %(end)s, part of '
            'the partnership "%(partnership)s". We hereby invite the following participant and kindly ask you '
            "to grant the visa needed for the journey."
        ) % {
            "agency": _address_lines(agency)[0],
            "trip": title,
            "start": _day(delegation.start_date),
            "end": _day(delegation.end_date),
            "partnership": _localized(delegation.partnership.title),
        }
        pdf.multi_cell(width, 5, body, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

        facts = [(pgettext("person", "Name"), name), (_("Organisation"), registration.organisation_name)]
        answers = registration.answers or {}
        facts += [(_(label), str(answers[key])) for key, label in LETTER_ANSWERS if answers.get(key)]
        facts.append((_("Travel dates"), f"{_day(delegation.start_date)} – {_day(delegation.end_date)}"))
        for label, value in facts:
            pdf.set_text_color(*MUTED)
            pdf.cell(45, 6, label)
            pdf.set_text_color(*INK)
            pdf.multi_cell(width - 45, 6, value, new_x="LMARGIN", new_y="NEXT")

        if stops:
            pdf.ln(4)
            pdf.set_font(FONT_FAMILY, size=11)
            pdf.multi_cell(width, 6, _("Itinerary"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, size=10)
            for stop in stops:
                place = ", ".join(x for x in (str(stop.region), str(stop.region.country.name)) if x)
                venue = _localized(stop.venue)
                line = f"{_day(stop.arrival)} – {_day(stop.departure)}: {place}" + (
                    f" ({venue})" if venue else ""
                )
                pdf.multi_cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")

        pdf.ln(6)
        pdf.multi_cell(
            width,
            5,
            _(
                "The participant travels as a member of the delegation for business meetings and visits. "
                "Please do not hesitate to contact us for any further information."
            ),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(10)
        pdf.multi_cell(width, 5, _("Yours faithfully"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
        signer = agency.contact.display_name if agency.contact_id else ""
        for line in (signer, _address_lines(agency)[0]):
            if line:
                pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
        return _finish(pdf)


# ------------------------------------------------------------------------------------------------ XLSX


def _cell_width(value) -> int:
    text = "" if value is None else str(value)
    # East Asian wide characters take two columns in a spreadsheet.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _plain(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or isinstance(value, (int, float, datetime.date)):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _write_sheet(sheet, header: list[str], rows: Iterable[list]) -> None:
    from openpyxl.styles import Font

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [_cell_width(h) for h in header]
    for row in rows:
        sheet.append(row)
        for index, value in enumerate(row):
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            # Typed text that starts with "=" must stay text, not become a formula in the reader's Excel.
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            widths[index] = max(
                widths[index], _cell_width(value) if not isinstance(value, datetime.date) else 16
            )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def answer_columns(delegation, registrations: Sequence) -> list[tuple[str, str]]:
    """(key, heading) for every answer: the organiser's questions in order, then keys no question names."""
    columns = [(q.key, _text(q.label) or q.key) for q in delegation.questions.all()]
    known = {key for key, _label in columns}
    extra = sorted({key for r in registrations for key in (r.answers or {}) if key not in known})
    return columns + [(key, key) for key in extra]


def participants_xlsx(delegation) -> bytes:
    """All registrations of the trip (any status) and, on a second sheet, the programme."""
    try:
        from openpyxl import Workbook
    except ImportError as exc:
        raise DocumentsUnavailable("; ".join(unavailable_reasons())) from exc

    registrations = list(delegation.registrations.all())
    columns = answer_columns(delegation, registrations)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Participants")[:31]
    header = [_("Name"), _("Latin name"), _("Organisation"), _("E-mail"), _("Status")]
    rows = [
        [
            own_script_name(r),
            latin_name(r),
            r.organisation_name,
            r.email,
            r.get_status_display(),
            *(_plain((r.answers or {}).get(key)) for key, _label in columns),
        ]
        for r in registrations
    ]
    _write_sheet(sheet, header + [label for _key, label in columns], rows)

    programme = book.create_sheet(_("Trip programme")[:31])
    items = delegation.programme.select_related("stop__region")
    _write_sheet(
        programme,
        [_("Starts"), _("Ends"), _("Time zone"), _("Kind"), _("Title"), _("Venue"), _("Stop")],
        [
            [
                item.starts_at.astimezone(item.zone).replace(tzinfo=None),
                item.ends_at.astimezone(item.zone).replace(tzinfo=None),
                item.time_zone,
                item.get_kind_display(),
                _text(item.title),
                _text(item.venue),
                str(item.stop) if item.stop else "",
            ]
            for item in items
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
