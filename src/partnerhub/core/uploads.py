"""Uploaded files: type checked by content, never by name or the browser's word; bounded per file, per
submission and while a request is read (docs/decisions/0007 and 0017)."""

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.utils.translation import gettext as _

ZIP = "application/zip"
# First bytes of the document types people attach to agreements, ideas and profiles.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"PK\x03\x04": ZIP,  # docx, xlsx, pptx, odt, ods, odp: checked member by member below
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "application/msword",  # legacy Office
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}

# An office document unpacks to a few times its size; a zip bomb to thousands of times. Bounds on what the
# archive's directory declares (nothing is unpacked here), far above any real document.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
ZIP_MAX_RATIO = 200
_PART_READ_LIMIT = 1024 * 1024  # [Content_Types].xml or mimetype: read no further than this


@dataclass(frozen=True)
class OfficeKind:
    extension: str
    content_type: str
    marker: str  # OOXML: the main part's content type in [Content_Types].xml; ODF: the mimetype member
    folder: str = ""  # OOXML: the folder that holds the main part


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
OOXML_KINDS = [
    OfficeKind(".docx", _OOXML + "wordprocessingml.document", "wordprocessingml.document.main+xml", "word/"),
    OfficeKind(".xlsx", _OOXML + "spreadsheetml.sheet", "spreadsheetml.sheet.main+xml", "xl/"),
    OfficeKind(
        ".pptx", _OOXML + "presentationml.presentation", "presentationml.presentation.main+xml", "ppt/"
    ),
]
ODF_KINDS = [
    OfficeKind(".odt", _ODF + "text", _ODF + "text"),
    OfficeKind(".ods", _ODF + "spreadsheet", _ODF + "spreadsheet"),
    OfficeKind(".odp", _ODF + "presentation", _ODF + "presentation"),
]


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def _container_kind(archive: zipfile.ZipFile) -> OfficeKind | None:
    """Which office format a zip archive is by its members, or None when it is none of them."""
    names = archive.namelist()
    if names and names[0] == "mimetype":  # ODF: stored first, uncompressed, by the standard
        with archive.open("mimetype") as member:
            mimetype = member.read(_PART_READ_LIMIT).decode("ascii", "replace").strip()
        return next((kind for kind in ODF_KINDS if mimetype == kind.marker), None)
    if "[Content_Types].xml" in names:
        with archive.open("[Content_Types].xml") as member:
            types = member.read(_PART_READ_LIMIT).decode("utf-8", "replace")
        for kind in OOXML_KINDS:
            if kind.marker in types and any(name.startswith(kind.folder) for name in names):
                return kind
    return None


def _check_office_document(uploaded) -> str:
    """A zip must be a Word, Excel, PowerPoint or OpenDocument file named as what it is, and no bomb."""
    name = {"name": uploaded.name}
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
            kind = _container_kind(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError):
        kind, members = None, []  # damaged, encrypted or otherwise unreadable: not a document we take
    finally:
        uploaded.seek(0)
    if kind is None:
        raise ValidationError(
            _("The file “%(name)s” is a ZIP archive, not a Word, Excel, PowerPoint or OpenDocument file.")
            % name
        )
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if (
        len(members) > ZIP_MAX_MEMBERS
        or unpacked > ZIP_MAX_UNPACKED_BYTES
        or unpacked > ZIP_MAX_RATIO * max(packed, 1)
    ):
        raise ValidationError(
            _("The file “%(name)s” would unpack to far more data than any office document holds.") % name
        )
    if PurePath(uploaded.name).suffix.lower() != kind.extension:
        raise ValidationError(
            _("The file “%(name)s” is a %(extension)s document: its name must end in %(extension)s.")
            % {**name, "extension": kind.extension}
        )
    return kind.content_type


def check_upload(uploaded, max_bytes: int | None = None) -> str:
    """Return the detected content type, or raise a ValidationError the user can read."""
    if isinstance(uploaded, RefusedUpload):
        raise ValidationError(uploaded.message())
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file “%(name)s” is larger than %(mb)s MB.")
            % {"name": uploaded.name, "mb": f"{limit / 1024 / 1024:g}"}
        )
    head = uploaded.read(16)
    uploaded.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _("The file “%(name)s” is not a PDF, office document or PNG/JPEG image.")
            % {"name": uploaded.name}
        )
    if content_type == ZIP:
        content_type = _check_office_document(uploaded)
    return content_type


def _too_many_files() -> str:
    return _("At most %(count)s files can be sent at once.") % {"count": settings.MAX_FILES_PER_SUBMISSION}


def _too_large_together() -> str:
    return _("The files together are larger than %(mb)s MB.") % {
        "mb": f"{settings.MAX_SUBMISSION_BYTES / 1024 / 1024:g}"
    }


def check_attachments(files) -> list[str]:
    """Check the files of one submission: each one (``check_upload``), how many and how large together.

    Returns their content types, or raises one ValidationError with every distinct reason.
    """
    messages: list[str] = []
    if len(files) > settings.MAX_FILES_PER_SUBMISSION:
        messages.append(_too_many_files())
    if sum(uploaded.size for uploaded in files) > settings.MAX_SUBMISSION_BYTES:
        messages.append(_too_large_together())
    content_types = []
    for uploaded in files:
        try:
            content_types.append(check_upload(uploaded))
        except ValidationError as exc:
            messages.extend(message for message in exc.messages if message not in messages)
    if messages:
        raise ValidationError(messages)
    return content_types


class RefusedUpload(UploadedFile):
    """Stands in ``request.FILES`` for a file SubmissionLimitHandler did not keep: its name, its size and
    why, and no content. ``check_upload`` turns it into the message, so every form that checks its files
    (they all do) says why instead of silently missing a file."""

    TOO_MANY = "too_many"
    TOO_LARGE = "too_large"

    def __init__(self, name: str, content_type: str, size: int, reason: str):
        super().__init__(BytesIO(b""), name=name, content_type=content_type, size=size)
        self.reason = reason

    def message(self) -> str:
        return _too_many_files() if self.reason == self.TOO_MANY else _too_large_together()


class SubmissionLimitHandler(FileUploadHandler):
    """First upload handler (settings.FILE_UPLOAD_HANDLERS): bounds the files of one request while it is
    read. Files beyond ``MAX_FILES_PER_SUBMISSION``, and every byte beyond ``MAX_SUBMISSION_BYTES``, are
    dropped before the memory or temporary-file handlers see them; when the declared Content-Length is
    already over the bound no file is kept at all. The other fields are still read, so the form comes back
    with what was typed and a RefusedUpload in place of each file it could not keep."""

    def __init__(self, request=None):
        super().__init__(request)
        self.files = 0
        self.total = 0
        self.declared_too_large = False
        self.size = 0
        self.refusal: str | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The other fields may take up to DATA_UPLOAD_MAX_MEMORY_SIZE beside the files.
        allowance = settings.MAX_SUBMISSION_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        self.declared_too_large = content_length is not None and content_length > allowance

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1
        self.size = 0
        if self.files > settings.MAX_FILES_PER_SUBMISSION:
            self.refusal = RefusedUpload.TOO_MANY
        elif self.declared_too_large or self.total >= settings.MAX_SUBMISSION_BYTES:
            self.refusal = RefusedUpload.TOO_LARGE
        else:
            self.refusal = None
        if self.refusal:
            raise StopFutureHandlers  # the following handlers open no buffer or temporary file for it

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.refusal is None:
            self.total += len(raw_data)
            if self.total > settings.MAX_SUBMISSION_BYTES:
                # What the next handler holds of this file is dropped with the request.
                self.refusal = RefusedUpload.TOO_LARGE
        return None if self.refusal else raw_data

    def file_complete(self, file_size):
        if self.refusal is None:
            return None  # the next handler returns the file
        return RefusedUpload(self.file_name, self.content_type, self.size, self.refusal)
