from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.core import backups


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz, mode 0600) with the database and the uploaded files; "
        "see docs/backups.md. Default: <var dir>/backups/partnerhub-<UTC time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Where to write the archive (must not exist yet).")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="Leave the uploaded files out (when the bucket keeps versions of its own).",
        )
        parser.add_argument("--language", help="de, en or zh-hans; default: the shell's locale.")

    def handle(self, *args, output=None, database="default", no_media=False, language=None, **options):
        with translation.override(backups.operator_language(language)):
            try:
                path, manifest = backups.create_backup(output, using=database, media=not no_media)
            except backups.BackupError as exc:
                raise CommandError(str(exc)) from exc
            media = [entry for entry in manifest["files"] if entry["name"].startswith(backups.MEDIA_PREFIX)]
            total = sum(entry["size"] for entry in manifest["files"])
            self.stdout.write(
                _("Backup written: %(path)s (%(size)s; the database and %(files)s).")
                % {
                    "path": path,
                    "size": filesizeformat(total),
                    "files": ngettext("%(count)d file", "%(count)d files", len(media))
                    % {"count": len(media)},
                }
            )
