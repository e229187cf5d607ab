from django.core.management.base import BaseCommand

from partnerhub.profiles.tasks import expire_profiles_task, profile_reminders_task


class Command(BaseCommand):
    help = "Expire cooperation profiles past their date and send expiry reminders (run daily, e.g. by cron)."

    def handle(self, *args, **options):
        # Expire first, so a profile that is already past its date gets no reminder any more.
        expired = expire_profiles_task.call()
        reminded = profile_reminders_task.call()
        self.stdout.write(f"Expired {expired} profile(s), sent {reminded} expiry reminder(s).")
