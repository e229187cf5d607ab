import time

from django.core.management.base import BaseCommand, CommandError

from partnerhub.demo.generate import generate_world


class Command(BaseCommand):
    help = (
        "Add a big invented world (organisations, profiles, ideas, trips with registrations) to the demo "
        "world, for load tests; deterministic by --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=5000)
        parser.add_argument("--profiles", type=int, default=2000)
        parser.add_argument("--ideas", type=int, default=1000)
        parser.add_argument("--trips", type=int, default=10)
        parser.add_argument("--registrations-per-trip", type=int, default=300)
        parser.add_argument(
            "--suggestions", type=int, default=60, help="How many live items get their matching suggestions."
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            made = generate_world(
                organisations=options["organisations"],
                profiles=options["profiles"],
                ideas=options["ideas"],
                trips=options["trips"],
                registrations_per_trip=options["registrations_per_trip"],
                seed=options["seed"],
                suggestions=options["suggestions"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name, count in made.items():
            self.stdout.write(f"  {name:24} {count:>7}")
        self.stdout.write(self.style.SUCCESS(f"Generated in {time.monotonic() - started:.1f} s."))
