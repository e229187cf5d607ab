"""Backups: one archive with the database and the uploaded files, and restoring it (docs/backups.md).

An archive is a gzip-compressed tar file holding

- ``database/partnerhub.sqlite3`` (SQLite's online backup) or ``database/partnerhub.pgdump``
  (``pg_dump --format=custom``): a consistent snapshot taken while the server runs;
- ``media/<name>``: every file of the default storage (a folder or an S3 bucket, read through the storage API);
- ``manifest.json``, written last, so each checksum is of the bytes really written in one pass over the
  files: format version, creation time (UTC), partnerhub version, database vendor and server version, the
  applied migrations and every other member with its size and SHA-256.

Restoring reads the whole archive and checks every checksum before it touches anything; it refuses a
database or storage that already holds data unless told to replace it. Why not ``dumpdata``:
docs/decisions/0023-backups.md.
"""

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import partnerhub

FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database/partnerhub.sqlite3", "postgresql": "database/partnerhub.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is already in the operator's language."""


@dataclass
class RestoreReport:
    manifest: dict
    files: int = 0
    warnings: list[str] = field(default_factory=list)


def operator_language(requested: str | None = None) -> str:
    """The language the commands speak: ``--language``, else the shell's locale (LANGUAGE, LC_ALL, LANG)."""
    candidates = [requested] if requested else []
    candidates += [os.environ.get(name, "") for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")]
    for raw in candidates:
        code = (raw or "").split(":")[0].split(".")[0].split("@")[0].replace("_", "-").lower()
        if not code or code in ("c", "posix"):
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


# --- writing ---------------------------------------------------------------------------------------------


def default_output() -> Path:
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"partnerhub-{stamp}.tar.gz"


def create_backup(
    output: Path | None = None, *, using: str = "default", media: bool = True
) -> tuple[Path, dict]:
    """Write one archive (mode 0600: it holds personal data); return its path and its manifest."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    if output is None:
        output = default_output()
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    output = Path(output)
    if output.exists():
        raise BackupError(_("%(path)s already exists; a backup never overwrites another.") % {"path": output})
    if not output.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": output.parent})
    partial = output.with_name(f".{output.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".partnerhub-backup-") as scratch:
            # The database first: a file uploaded while the files are copied is then only an extra file,
            # never a row without its file.
            dump = Path(scratch) / "dump"
            database = _dump(connection, dump)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
                "partnerhub_version": partnerhub.__version__,
                "database": database,
                "migrations": [
                    f"{app}.{name}"
                    for app, name in sorted(MigrationRecorder(connection).applied_migrations())
                ],
                "media": {"included": media, "storage": _storage_name(default_storage)},
                "files": [],
            }
            with os.fdopen(fd, "wb") as raw:
                fd = -1
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    with dump.open("rb") as stream:
                        _add(tar, manifest, database["file"], stream, dump.stat().st_size)
                    if media:
                        for name in walk_storage(default_storage):
                            try:
                                stream = default_storage.open(name, "rb")
                                size = default_storage.size(name)
                            except FileNotFoundError:
                                continue  # deleted since it was listed: its row is gone from the dump too
                            with stream:
                                _add(tar, manifest, MEDIA_PREFIX + name, stream, size)
                    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise
    return output, manifest


def _storage_name(storage) -> str:
    storage = getattr(storage, "_wrapped", storage)
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def walk_storage(storage: Storage, prefix: str = ""):
    """Every file name in a storage, through ``listdir`` (works for a folder and for S3 alike)."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for directory in sorted(directories):
        yield from walk_storage(storage, f"{prefix}{directory}/")


class _Hashing:
    """Reads through to a stream, counting and hashing what passes."""

    def __init__(self, stream):
        self.stream, self.sha256, self.size = stream, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.stream.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, manifest: dict, name: str, stream, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(timezone.now().timestamp())
    hashing = _Hashing(stream)
    tar.addfile(info, hashing)
    manifest["files"].append({"name": name, "size": hashing.size, "sha256": hashing.sha256.hexdigest()})


def _dump(connection, target: Path) -> dict:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # One step under one read lock: a consistent copy even while the server writes.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return {"vendor": "sqlite", "server_version": sqlite3.sqlite_version, "file": DUMP_NAMES["sqlite"]}
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    tool, tool_version = check_pg_tool("pg_dump", server_major)
    _run([tool, "--format=custom", "--no-password", f"--file={target}"], connection.settings_dict)
    return {
        "vendor": "postgresql",
        "server_version": f"{server_major}.{connection.pg_version % 10000}",
        "dump_tool": f"pg_dump {tool_version}",
        "file": DUMP_NAMES["postgresql"],
    }


def check_pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version of pg_dump/pg_restore; a clear error when it is missing or older than the server."""
    path = shutil.which(name)
    hint = {"tool": name, "major": server_major}
    if path is None:
        raise BackupError(
            _(
                "%(tool)s was not found. Install PostgreSQL's client programs, version %(major)s or newer "
                "(Debian: apt-get install postgresql-client), and put them on PATH."
            )
            % hint
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.(\d+))?", out)
    version = found.group(0) if found else "?"
    if not found or int(found.group(1)) < server_major:
        raise BackupError(
            _(
                "%(tool)s is version %(version)s, older than the database server (%(major)s): it cannot "
                "handle that server's data. Install PostgreSQL's client programs, version %(major)s or "
                "newer, and put them first on PATH."
            )
            % {**hint, "version": version}
        )
    return path, version


def _pg_env(settings_dict: dict) -> dict:
    """The connection as libpq environment variables: the password never appears on a command line."""
    options = settings_dict.get("OPTIONS") or {}
    values = {
        "PGHOST": options.get("host", settings_dict.get("HOST")),
        "PGPORT": options.get("port", settings_dict.get("PORT")),
        "PGUSER": options.get("user", settings_dict.get("USER")),
        "PGPASSWORD": options.get("password", settings_dict.get("PASSWORD")),
        "PGDATABASE": options.get("dbname", settings_dict.get("NAME")),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def _run(command: list[str], settings_dict: dict) -> None:
    result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": result.stderr.strip() or result.returncode}
        )


# --- reading and restoring -------------------------------------------------------------------------------


def _damaged(archive: Path, reason: str) -> BackupError:
    return BackupError(
        _("The archive %(path)s is damaged: %(reason)s. Nothing was changed.")
        % {"path": archive, "reason": reason}
    )


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name in DUMP_NAMES.values() or (name.startswith(MEDIA_PREFIX) and len(path.parts) > 1))
    )


def verify_archive(archive: Path) -> dict:
    """Read the whole archive and check it against its manifest; return the manifest."""
    seen: dict[str, tuple[int, str]] = {}
    manifest_data = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    raise _damaged(archive, _("%(name)s is not a file") % {"name": member.name})
                stream = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_data = stream.read()
                    continue
                if member.name in seen:
                    raise _damaged(archive, _("%(name)s is in it twice") % {"name": member.name})
                hashing = _Hashing(stream)
                while hashing.read(CHUNK):
                    pass
                seen[member.name] = (hashing.size, hashing.sha256.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(archive, _("it cannot be read (%(error)s)") % {"error": exc}) from exc
    if manifest_data is None:
        raise _damaged(archive, _("it has no manifest.json"))
    try:
        manifest = json.loads(manifest_data)
        expected = {entry["name"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
        if not isinstance(manifest["database"]["vendor"], str) or not isinstance(
            manifest["migrations"], list
        ):
            raise TypeError(manifest)
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(archive, _("its manifest.json cannot be read")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("The archive has format %(found)s; this partnerhub reads format %(expected)s.")
            % {"found": manifest.get("format"), "expected": FORMAT}
        )
    for name in sorted(expected.keys() | seen.keys()):
        if name not in seen:
            raise _damaged(archive, _("%(name)s is missing") % {"name": name})
        if name not in expected or not _safe_member(name):
            raise _damaged(archive, _("%(name)s is not listed in its manifest") % {"name": name})
        if seen[name] != tuple(expected[name]):
            raise _damaged(archive, _("%(name)s does not match its checksum") % {"name": name})
    if manifest["database"].get("file") not in seen:
        raise _damaged(archive, _("it holds no database"))
    return manifest


def migration_differences(manifest: dict) -> tuple[list, list]:
    """(migrations the archive has but this code does not, migrations this code has but the archive not)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {tuple(key.split(".", 1)) for key in manifest["migrations"]}
    for squashed, replaced in loader.replacements.items():
        if all(tuple(key) in archived for key in replaced.replaces):
            archived.add(squashed)
    return sorted(archived - known), sorted(known - archived)


def existing_data(using: str = "default") -> str | None:
    """What the target database holds, in words, or None when it has no tables at all."""
    from django.apps import apps

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if not tables:
            return None
        counts = []
        for label in (
            "accounts.User",
            "organisations.Organisation",
            "ideas.ProjectIdea",
            "partnerships.Agreement",
        ):
            model = apps.get_model(label)
            if model._meta.db_table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}")
                counts.append(f"{model._meta.verbose_name_plural}: {cursor.fetchone()[0]}")
    summary = ngettext("%(count)d table", "%(count)d tables", len(tables)) % {"count": len(tables)}
    return ", ".join([summary, *counts])


def restore_backup(archive: Path, *, using: str = "default", force: bool = False) -> RestoreReport:
    """Check the archive, then replace the database and add the files; see docs/backups.md."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("There is no archive at %(path)s.") % {"path": archive})
    manifest = verify_archive(archive)
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            _("The archive holds a %(archived)s database; the configured database is %(configured)s.")
            % {"archived": vendor, "configured": connection.vendor}
        )
    newer, pending = migration_differences(manifest)
    if newer:
        raise BackupError(
            _(
                "The archive was made by a newer partnerhub: this code does not know its migrations %(names)s. "
                "Install that version or a newer one, then restore."
            )
            % {"names": ", ".join(f"{app}.{name}" for app, name in newer)}
        )
    media = manifest["media"]["included"]
    held = existing_data(using)
    files_held = sum(1 for _name in walk_storage(default_storage)) if media else 0
    if (held or files_held) and not force:
        raise BackupError(
            _(
                "The database %(database)s already holds partnerhub data (%(data)s) and the file storage "
                "%(files)s. Restoring would replace all of it; run restore again with --force to do so, "
                "after a backup of what is there now."
            )
            % {
                "database": connection.settings_dict["NAME"],
                "data": held or _("no tables"),
                "files": ngettext("holds %(count)d file", "holds %(count)d files", files_held)
                % {"count": files_held},
            }
        )
    restore_tool = None
    if vendor == "postgresql":
        connection.ensure_connection()
        restore_tool, _version = check_pg_tool("pg_restore", connection.pg_version // 10000)
    report = RestoreReport(manifest=manifest)
    # One pass in the archive's order (the database is its first member): seeking back in a gzip stream
    # would read it again from the start for every file.
    with (
        tempfile.TemporaryDirectory(prefix="partnerhub-restore-") as scratch,
        tarfile.open(archive, "r:gz") as tar,
    ):
        for member in tar:
            if member.name == manifest["database"]["file"]:
                dump = Path(scratch) / "dump"
                with tar.extractfile(member) as stream, dump.open("wb") as out:
                    shutil.copyfileobj(stream, out, CHUNK)
                _load(connection, dump, clean=bool(held), tool=restore_tool)
            elif media and member.name.startswith(MEDIA_PREFIX):
                _put(tar, member)
                report.files += 1
    if pending:
        report.warnings.append(
            _("This code has migrations the archive does not (%(names)s): run partnerhub migrate.")
            % {"names": ", ".join(f"{app}.{name}" for app, name in pending)}
        )
    return report


def _load(connection, dump: Path, *, clean: bool, tool: str | None) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # The backup API copies every page: the target becomes the archived database, whatever it held.
            source.backup(connection.connection)
        finally:
            source.close()
            connection.close()
        return
    if clean:
        _drop_everything(connection)
    name = _pg_env(connection.settings_dict).get("PGDATABASE", "")
    _run(
        [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password",
         f"--dbname={name}", str(dump)],
        connection.settings_dict,
    )  # fmt: skip
    connection.close()


def _drop_everything(connection) -> None:
    """Drop the tables, views and sequences of the current schema (pg_restore then starts empty)."""
    # Tables first: their identity sequences go with them and cannot be dropped on their own.
    kinds = [
        ("rp", "TABLE"),
        ("m", "MATERIALIZED VIEW"),
        ("v", "VIEW"),
        ("f", "FOREIGN TABLE"),
        ("S", "SEQUENCE"),
    ]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for relkinds, kind in kinds:
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = ANY(%s)",
                [list(relkinds)],
            )
            for (relname,) in cursor.fetchall():
                cursor.execute(f"DROP {kind} IF EXISTS {connection.ops.quote_name(relname)} CASCADE")


def _put(tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    name = member.name[len(MEDIA_PREFIX) :]
    if default_storage.exists(name):
        default_storage.delete(name)
    with tar.extractfile(member) as stream:
        content = File(stream, name=name)
        content.size = member.size
        saved = default_storage.save(name, content)
    if saved != name:
        raise BackupError(_("The storage saved %(name)s as %(saved)s.") % {"name": name, "saved": saved})
