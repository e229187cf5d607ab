from django.core.management.base import BaseCommand, CommandError

from partnerhub.core import translations


class Command(BaseCommand):
    # The system checks would warn about the very catalogues this command is about to compile.
    requires_system_checks: list[str] = []
    help = "Compile the .po catalogues to .mo with polib; --check fails on untranslated or fuzzy entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if a catalogue has untranslated or fuzzy entries."
        )

    def handle(self, *args, check: bool = False, **options):
        problems = []
        for po in translations.catalogues():
            rep = translations.report(po)
            status = "ok" if rep.complete else f"{rep.untranslated} untranslated, {rep.fuzzy} fuzzy"
            self.stdout.write(f"{po}: {rep.total} messages, {status}")
            if not rep.complete:
                problems.append(po)
            translations.compile_catalogue(po)
        if not translations.catalogues():
            raise CommandError("no catalogues found")
        if check and problems:
            raise CommandError(f"incomplete catalogues: {', '.join(str(p) for p in problems)}")
