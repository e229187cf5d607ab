from django.core.management.base import BaseCommand

from partnerhub.ideas import services


class Command(BaseCommand):
    help = "Delete project ideas whose e-mail address was not confirmed in time (run daily, e.g. by cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {services.purge_unconfirmed()} unconfirmed idea(s).")
