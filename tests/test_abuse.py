"""Bounded abuse (decision 0017): caps on uploads, office files checked member by member, rate limits in a
store every server process shares, and the client's address from a trusted proxy only."""

import io
import uuid
import zipfile
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from partnerhub.core.abuse import client_ip, rate_limited
from partnerhub.core.models import RateCounter
from partnerhub.ideas import services
from partnerhub.ideas.models import ProjectIdea

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(name, language="en", *args):
    with translation.override(language):
        return reverse(name, args=args)


def idea_data(world, **overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "organisation_name": "Yangzhou Hengtong Auto Parts",
        "organisation_kind": "sme",
        "organisation_website": "https://hengtong.example.cn",
        "organisation_city": "Yangzhou",
        "organisation_country": "CN",
        "contact_name": "王晓明",
        "contact_role": "CEO",
        "contact_email": "wang@hengtong.example.cn",
        "contact_phone": "+86 514 5550188",
        "title": "Leichtbau-Partner gesucht",
        "area": "technology",
        "description": "Carbon composite chassis parts.",
        "partner_sought": "A composites lab",
        "target_regions": [world.home_region.pk],
        "consent": "on",
        "website_url": "",
    }
    data.update(overrides)
    return data


def pdf(name="plan.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * (size - 9), content_type="application/pdf")


def office_zip(name, members, content_type="application/octet-stream"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def minimal_docx(name="plan.docx", **extra):
    return office_zip(
        name, {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>", **extra}
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return [path for path in media.rglob("*") if path.is_file()]


# Caps per submission -------------------------------------------------------------------------------------


def test_six_files_in_one_idea_are_refused_in_german_keeping_what_was_typed_and_storing_nothing(
    client, world, media
):
    files = [pdf(f"teil-{n}.pdf") for n in range(6)]
    response = client.post(
        url("ideas:submit", "de", world.home_agency.slug), {**idea_data(world), "attachments": files}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Höchstens 5 Dateien können auf einmal gesendet werden." in html
    assert 'value="Leichtbau-Partner gesucht"' in html
    assert not ProjectIdea.objects.exists()
    assert stored_files(media) == []


def test_too_many_bytes_in_one_idea_are_refused_in_chinese_and_nothing_is_stored(
    client, world, media, settings
):
    settings.MAX_SUBMISSION_BYTES = 3000
    files = [pdf("a.pdf", 2000), pdf("b.pdf", 2000)]
    response = client.post(
        url("ideas:submit", "zh-hans", world.home_agency.slug), {**idea_data(world), "attachments": files}
    )
    html = response.content.decode()
    assert "这些文件合计超过" in html
    assert 'value="Leichtbau-Partner gesucht"' in html
    assert not ProjectIdea.objects.exists()
    assert stored_files(media) == []


def test_a_request_declaring_more_than_the_bound_keeps_no_file_at_all(
    client, world, media, settings, monkeypatch
):
    settings.MAX_SUBMISSION_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every kept file would go to a temporary file
    opened = []
    original = TemporaryFileUploadHandler.new_file
    monkeypatch.setattr(
        TemporaryFileUploadHandler,
        "new_file",
        lambda self, *a, **k: opened.append(a) or original(self, *a, **k),
    )
    response = client.post(
        url("ideas:submit", "en", world.home_agency.slug),
        {**idea_data(world), "attachments": [pdf("big.pdf", 8000)]},
    )
    assert "The files together are larger than" in response.content.decode()
    assert opened == []  # no temporary file was even opened
    assert not ProjectIdea.objects.exists()


def test_the_bytes_past_the_bound_never_reach_a_temporary_file(client, world, media, settings, monkeypatch):
    settings.MAX_SUBMISSION_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    received = []
    original = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, data, start: received.append(len(data)) or original(self, data, start),
    )
    response = client.post(
        url("ideas:submit", "en", world.home_agency.slug),
        {**idea_data(world), "attachments": [pdf("huge.pdf", 600_000)]},
    )
    assert "The files together are larger than" in response.content.decode()
    assert 0 < sum(received) <= 100_000
    assert not ProjectIdea.objects.exists()


def test_files_within_the_caps_are_kept(client, world, media):
    files = [pdf(f"teil-{n}.pdf") for n in range(5)]
    response = client.post(
        url("ideas:submit", "en", world.home_agency.slug), {**idea_data(world), "attachments": files}
    )
    assert response.status_code == 302
    assert ProjectIdea.objects.get().attachments.count() == 5


def test_an_unconfirmed_address_holds_at_most_its_bytes_across_submissions(client, world, media, settings):
    settings.MAX_UNCONFIRMED_BYTES_PER_ADDRESS = 3000
    submit = url("ideas:submit", "de", world.home_agency.slug)
    first = client.post(submit, {**idea_data(world), "attachments": [pdf("a.pdf", 2000)]})
    assert first.status_code == 302
    second = client.post(
        submit,
        {
            **idea_data(world, contact_email="WANG@hengtong.example.cn", title="Zweite Idee"),
            "attachments": [pdf("b.pdf", 2000)],
        },
    )
    html = second.content.decode()
    assert "Noch nicht bestätigte Ideen von dieser E-Mail-Adresse" in html
    assert 'value="Zweite Idee"' in html
    assert ProjectIdea.objects.count() == 1
    assert len(stored_files(media)) == 1

    services.confirm_idea(ProjectIdea.objects.get().confirmation_token)  # confirmed ideas no longer count
    third = client.post(
        submit, {**idea_data(world, title="Dritte Idee"), "attachments": [pdf("c.pdf", 2000)]}
    )
    assert third.status_code == 302
    assert ProjectIdea.objects.count() == 2


# Office documents are checked by their members -------------------------------------------------------------


def test_a_plain_zip_renamed_docx_is_refused(client, world, media):
    fake = office_zip("plan.docx", {"readme.txt": "not a document", "setup.exe": "MZ"})
    response = client.post(
        url("ideas:submit", "de", world.home_agency.slug), {**idea_data(world), "attachments": [fake]}
    )
    html = response.content.decode()
    assert "ist ein ZIP-Archiv" in html
    assert not ProjectIdea.objects.exists()


def test_a_real_minimal_docx_is_accepted_as_a_word_document(client, world, media):
    response = client.post(
        url("ideas:submit", "en", world.home_agency.slug),
        {**idea_data(world), "attachments": [minimal_docx()]},
    )
    assert response.status_code == 302
    assert ProjectIdea.objects.get().attachments.get().content_type == DOCX


def test_a_docx_named_xlsx_is_refused_because_the_name_must_agree(client, world, media):
    response = client.post(
        url("ideas:submit", "zh-hans", world.home_agency.slug),
        {**idea_data(world), "attachments": [minimal_docx("budget.xlsx")]},
    )
    assert "文件名必须以 .docx 结尾" in response.content.decode()
    assert not ProjectIdea.objects.exists()


def test_an_opendocument_text_is_accepted():
    from partnerhub.core.uploads import check_upload

    odt = office_zip(
        "plan.odt", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
    )
    assert check_upload(odt) == "application/vnd.oasis.opendocument.text"


def test_a_zip_bomb_dressed_as_docx_is_refused(client, world, media):
    bomb = minimal_docx(**{"word/media/image1.bin": b"\0" * (20 * 1024 * 1024)})
    assert bomb.size < 100_000
    response = client.post(
        url("ideas:submit", "en", world.home_agency.slug), {**idea_data(world), "attachments": [bomb]}
    )
    assert "would unpack to far more data" in response.content.decode()
    assert not ProjectIdea.objects.exists()


# Rate limits in a shared store --------------------------------------------------------------------------


def test_the_default_cache_is_the_database_table_every_process_shares(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    with connection.cursor() as cursor:  # created for the test database as `migrate` creates it
        cursor.execute(f"SELECT COUNT(*) FROM {settings.CACHES['default']['LOCATION']}")


def test_public_form_counts_survive_a_process_that_never_saw_them(client, world, settings):
    """Every request runs with an empty in-process cache, as if each went to another worker."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    statuses = []
    for n in range(3):
        caches["default"].clear()
        response = client.post(
            url("ideas:submit", "en", world.home_agency.slug), idea_data(world, title=f"Idee {n}")
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert RateCounter.objects.get().count == 3


def test_the_counter_is_one_atomic_row_per_client_scope_and_window():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    assert [rate_limited(request, "test", limit=2) for _ in range(3)] == [False, False, True]
    other = RequestFactory().post("/", REMOTE_ADDR="203.0.113.10")
    assert rate_limited(other, "test", limit=2) is False
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [1, 3]


def test_failed_logins_are_counted_in_the_shared_table_and_stop_the_next_guess(
    client, world, agency_staff, settings
):
    from django.core.cache.backends.db import DatabaseCache

    login = url("account_login", "en")
    for _ in range(5):
        client.post(login, {"login": "staff@home.example.org", "password": "wrong"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM partnerhub_cache")
        keys = [row[0] for row in cursor.fetchall() if "login_failed" in row[0]]
    assert keys
    # Another process, with its own cache object, reads the same five attempts from the table.
    other_process = DatabaseCache("partnerhub_cache", {})
    assert any(len(other_process.get(key.split(":", 2)[2]) or []) == 5 for key in keys)
    response = client.post(login, {"login": "staff@home.example.org", "password": "correct-horse-battery"})
    assert response.status_code != 302
    assert "Too many failed login attempts" in response.content.decode()


# The client's address ---------------------------------------------------------------------------------


def forwarded(xff, remote="10.0.0.2"):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff)


def test_forwarded_for_is_ignored_without_behind_proxy(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(forwarded("198.51.100.7")) == "10.0.0.2"


def test_behind_a_proxy_the_address_it_added_counts_not_what_the_client_wrote(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(forwarded("1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(forwarded("1.2.3.4, 198.51.100.7, 192.0.2.1")) == "198.51.100.7"
    assert client_ip(forwarded("")) == "10.0.0.2"  # the proxy said nothing: its own address
    assert client_ip(forwarded("not-an-address, x")) == "10.0.0.2"


def test_a_custom_proxy_header_is_read_when_configured(settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.8")
    assert client_ip(request) == "198.51.100.8"


def test_allauth_counts_logins_by_the_same_address(settings):
    from allauth.account.adapter import get_adapter

    settings.BEHIND_PROXY = True
    assert get_adapter().get_client_ip(forwarded("1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    settings.BEHIND_PROXY = False
    assert get_adapter().get_client_ip(forwarded("1.2.3.4, 198.51.100.7")) == "10.0.0.2"


@pytest.mark.parametrize(("behind_proxy", "second_status"), [(True, 302), (False, 429)])
def test_public_form_limits_follow_the_forwarded_address_only_behind_a_proxy(
    client, world, settings, behind_proxy, second_status
):
    settings.BEHIND_PROXY = behind_proxy
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    submit = url("ideas:submit", "en", world.home_agency.slug)
    assert client.post(submit, idea_data(world), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    second = client.post(submit, idea_data(world, title="Other"), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert second.status_code == second_status


# The same checks on the other pages that take files ----------------------------------------------------


class _FormValues(HTMLParser):
    """The values a browser would send for a page's form, without any file."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.append(
                    (name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
                )
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.values.append((name, ""))

    def handle_data(self, data):
        if self._textarea:
            self.values[-1] = (self._textarea, self.values[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html):
    parser = _FormValues()
    parser.feed(html)
    data = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value.strip("\n") if name else value)
    return data


def post_agreement_document(client, world, language, uploaded):
    change = url("admin:partnerships_agreement_change", language, world.agreement.pk)
    data = form_values(client.get(change).content.decode())
    data.pop("_saveasnew", None)
    data.update(
        {
            "documents-TOTAL_FORMS": "1",
            "documents-0-title_0": "Vertrag",
            "documents-0-title_1": "Contract",
            "documents-0-title_2": "合同",
            "documents-0-language": "de",
            "documents-0-visibility": "shared",
            "documents-0-agreement": str(world.agreement.pk),
            "documents-0-file": uploaded,
        }
    )
    return client.post(change, data)


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "ist ein ZIP-Archiv, kein Word-"), ("zh-hans", "是 ZIP 压缩包，不是 Word")],
)
def test_the_admin_refuses_a_zip_renamed_docx_as_an_agreement_document(
    client, world, superuser, media, language, message
):
    client.force_login(superuser)
    response = post_agreement_document(client, world, language, office_zip("vertrag.docx", {"a.txt": "kein"}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not world.agreement.documents.exists()
    assert stored_files(media) == []


def test_the_admin_keeps_a_real_docx_as_an_agreement_document(client, world, superuser, media):
    client.force_login(superuser)
    response = post_agreement_document(client, world, "en", minimal_docx("vertrag.docx"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert world.agreement.documents.get().file.name.endswith(".docx")


def test_the_personal_page_refuses_six_files_at_once(client, world, media):
    client.post(url("ideas:submit", "en", world.home_agency.slug), idea_data(world))
    idea = ProjectIdea.objects.get()
    services.confirm_idea(idea.confirmation_token)
    response = client.post(
        url("ideas:status", "zh-hans", idea.access_token),
        {"text": "补充材料", "attachments": [pdf(f"p{n}.pdf") for n in range(6)]},
    )
    html = response.content.decode()
    assert "一次最多可以发送 5 个文件。" in html
    assert "补充材料" in html
    assert not idea.attachments.exists()
    assert stored_files(media) == []
