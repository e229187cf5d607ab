"""`partnerhub backup` / `restore`: an archive restored into an empty database and an empty media folder holds
every row of every table and every file, byte for byte.

pg_dump and SQLite's backup API see only committed rows, so these tests are transactional (and therefore few);
``serialized_rollback`` puts back the rows the migrations made, as in the suite's other transactional tests.
"""

import datetime
import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

from partnerhub.core import backups

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MICROSECONDS = datetime.datetime(2026, 3, 1, 8, 15, 30, 123456, tzinfo=datetime.UTC)
BINARY = bytes(range(256)) * 3 + os.urandom(1000)
NON_ASCII_NAME = "Vertrag_Übersicht_合作备忘录.pdf"


@pytest.fixture
def uploads(world, settings, tmp_path):
    """The world with uploaded files of each kind, a non-ASCII name, binary content, exact timestamps."""
    from partnerhub.ideas.models import IdeaAttachment, ProjectIdea
    from partnerhub.matching.models import Embedding
    from partnerhub.partnerships.models import AgreementDocument, DocumentVersion
    from partnerhub.privacy.models import PrivacyNotice

    settings.MEDIA_ROOT = str(tmp_path / "media")
    document = AgreementDocument(agreement=world.agreement, title={"de": "Übersicht", "zh-hans": "备忘录"})
    document.uploaded_at = MICROSECONDS
    document.file.save(NON_ASCII_NAME, ContentFile(BINARY), save=True)
    older = DocumentVersion(document=document, number=1, uploaded_at=MICROSECONDS)
    older.file.save("scan-v1.pdf", ContentFile(b"%PDF-1.4\n\x00\x01 older\n"), save=True)
    notice = PrivacyNotice.current() or PrivacyNotice.objects.create(version=1, text={"en": "Privacy"})
    idea = ProjectIdea.objects.create(
        agency=world.home_agency, title="Leichtbau 轻量化", description="…", area="technology",
        organisation_name="Verbundwerk", organisation_kind="sme", contact_name="Li Wei",
        contact_email="li@example.cn", privacy_notice=notice, consent_given_at=MICROSECONDS,
        email_confirmed_at=timezone.now(),
    )  # fmt: skip
    attachment = IdeaAttachment(idea=idea, original_name="方案.docx", content_type="application/pdf", size=5)
    attachment.file.save("方案.docx", ContentFile(b"PK\x03\x04\xff"), save=True)
    Embedding.objects.create(
        target_type=ContentType.objects.get_for_model(ProjectIdea), target_id=idea.pk, model_name="fake",
        dim=2, vector=b"\x00\xff\x0a\x0d\x00", text_hash="h",
    )  # fmt: skip
    return document


@pytest.fixture
def empty_target(settings, tmp_path):
    """An empty database under the alias "restore" (a new SQLite file, or a new PostgreSQL database)."""
    source = connections["default"]
    config = dict(source.settings_dict)
    created = None
    if source.vendor == "postgresql":
        created = f"ph_restore_{os.getpid()}"
        with source.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {created}")
            cursor.execute(f"CREATE DATABASE {created}")
        config["NAME"] = created
    else:
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    # A connection made here, not a configured alias: the test case's guard lets such connections through.
    connections["restore"] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias="restore")
    try:
        yield "restore"
    finally:
        connections["restore"].close()
        del connections["restore"]
        if created:
            with source.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {created} WITH (FORCE)")


def every_row(alias: str) -> dict:
    """Every table (from the database's own introspection), its rows as raw SQL results in a fixed order."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            # On PostgreSQL each value as the server's text: timestamps, JSON and bytea compare exactly.
            cast = "::text" if connection.vendor == "postgresql" else ""
            selected = ", ".join(f"{quote(column)}{cast}" for column in columns)
            cursor.execute(f"SELECT {selected} FROM {quote(table)} ORDER BY {selected}")
            tables[table] = cursor.fetchall()
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() "
                "ORDER BY sequencename"
            )
        else:
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        tables["(sequences)"] = cursor.fetchall()
    return tables


def every_file(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def archive(uploads, tmp_path, settings):
    path = tmp_path / "backups" / "nightly.tar.gz"
    path.parent.mkdir()
    call_command("backup", output=path, language="en")
    return path


def test_restore_into_an_empty_database_gives_back_every_row_and_every_file(
    archive, empty_target, uploads, settings, tmp_path
):
    from partnerhub.partnerships.models import AgreementDocument

    assert archive.stat().st_mode & 0o777 == 0o600
    source_files = every_file(Path(settings.MEDIA_ROOT))
    assert NON_ASCII_NAME in {name.rsplit("/", 1)[-1] for name in source_files}
    assert len(source_files) == 3

    source = every_row("default")  # as archived: the cache table may change later in the test
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    call_command("restore", archive, database=empty_target, language="en")

    restored = every_row(empty_target)
    assert sorted(restored) == sorted(source)
    for table in source:
        assert restored[table] == source[table], table
    assert len(source["partnerships_agreementdocument"]) == 1 and len(source["matching_embedding"]) == 1
    assert every_file(Path(settings.MEDIA_ROOT)) == source_files
    restored_document = AgreementDocument.objects.using(empty_target).get(pk=uploads.pk)
    assert restored_document.uploaded_at == MICROSECONDS
    assert restored_document.file.read() == BINARY


def test_a_damaged_or_newer_archive_is_refused_and_nothing_is_changed(
    archive, empty_target, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    # One file's bytes changed in an otherwise well-formed archive: only its checksum tells.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/") and member.name.endswith(NON_ASCII_NAME):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    # Intact, but made by a newer partnerhub: a migration this code does not know.
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(newer, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append("ideas.9999_from_the_future")
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    with pytest.raises(CommandError, match=r"does not match its checksum\. Nothing was changed"):
        call_command("restore", tampered, database=empty_target, language="en")
    with pytest.raises(CommandError, match=r"ist beschädigt: .*Es wurde nichts verändert"):
        call_command("restore", truncated, database=empty_target, language="de")
    with pytest.raises(CommandError, match=r"neueren partnerhub: .*ideas\.9999_from_the_future"):
        call_command("restore", newer, database=empty_target, language="de")
    with connections[empty_target].cursor() as cursor:
        assert connections[empty_target].introspection.table_names(cursor) == []
    assert not Path(settings.MEDIA_ROOT).exists()
    assert gzip.open(archive).read(1)  # the original is still a readable archive


def test_a_database_that_holds_data_is_refused_without_force_in_german_and_chinese(archive, settings):
    from partnerhub.organisations.models import Organisation

    organisations = Organisation.objects.count()
    with pytest.raises(CommandError) as german:
        call_command("restore", archive, language="de")
    assert "enthält schon partnerhub-Daten" in str(german.value)
    assert f"Organisationen: {organisations}" in str(german.value) and "--force" in str(german.value)
    with pytest.raises(CommandError) as chinese:
        call_command("restore", archive, language="zh-hans")
    assert "已有 partnerhub 数据" in str(chinese.value) and "--force" in str(chinese.value)
    assert Organisation.objects.count() == organisations


def test_force_replaces_a_database_that_holds_data(archive, empty_target, uploads, settings, tmp_path):
    from partnerhub.organisations.models import Organisation

    archived = every_row("default")
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    call_command("restore", archive, database=empty_target)
    Organisation.objects.using(empty_target).filter(slug="public-org").delete()
    assert every_row(empty_target) != archived
    call_command("restore", archive, database=empty_target, force=True)
    assert every_row(empty_target) == archived


@pytest.mark.django_db(transaction=False)
def test_a_pg_dump_older_than_the_server_is_named_in_the_operators_language(tmp_path, monkeypatch):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    from django.utils import translation

    with translation.override(backups.operator_language()), pytest.raises(backups.BackupError) as old:
        backups.check_pg_tool("pg_dump", 15)
    assert "13.4" in str(old.value) and "älter als der Datenbankserver (15)" in str(old.value)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with translation.override("zh-hans"), pytest.raises(backups.BackupError, match="找不到 pg_dump"):
        backups.check_pg_tool("pg_dump", 15)
