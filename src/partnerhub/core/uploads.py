"""Uploaded files: size limit and type checked by content, never by name or the browser's word."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# First bytes of the document types people attach to agreements, ideas and profiles.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"PK\x03\x04": "application/zip",  # docx, xlsx, pptx, odt
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "application/msword",  # legacy Office
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def check_upload(uploaded, max_bytes: int | None = None) -> str:
    """Return the detected content type, or raise a ValidationError the user can read."""
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
    return content_type
