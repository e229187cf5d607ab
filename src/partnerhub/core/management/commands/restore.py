from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.core import backups


class Command(BaseCommand):
    help = (
        "Restore an archive written by `partnerhub backup`: checks every checksum first, refuses a database "
        "that holds data unless --force; see docs/backups.md. Stop the server and the workers first."
    )
    # The target may be empty: the system checks would query tables that do not exist yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", default="default", help="The database alias (default: default).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds data (all of it is lost) and files of the same name.",
        )
        parser.add_argument("--language", help="de, en or zh-hans; default: the shell's locale.")

    def handle(self, *args, archive, database="default", force=False, language=None, **options):
        with translation.override(backups.operator_language(language)):
            try:
                report = backups.restore_backup(archive, using=database, force=force)
            except backups.BackupError as exc:
                raise CommandError(str(exc)) from exc
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(warning))
            self.stdout.write(
                _(
                    "Restored the database and %(files)s from %(path)s (made %(created)s by partnerhub %(version)s)."
                )
                % {
                    "files": ngettext("%(count)d file", "%(count)d files", report.files)
                    % {"count": report.files},
                    "path": archive,
                    "created": report.manifest["created_at"],
                    "version": report.manifest["partnerhub_version"],
                }
            )
