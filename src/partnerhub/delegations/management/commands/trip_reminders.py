from django.core.management.base import BaseCommand

from partnerhub.delegations.agenda.reminders import meeting_day_reminders_task, trip_reminders_task


class Command(BaseCommand):
    help = (
        "E-mail participants before their trip and the day before each day with B2B meetings "
        "(run daily or hourly, e.g. by cron; each reminder goes out once)."
    )

    def handle(self, *args, **options):
        trips = trip_reminders_task.call()
        days = meeting_day_reminders_task.call()
        self.stdout.write(f"Sent {trips} trip reminder(s) and {days} meeting-day reminder(s).")
