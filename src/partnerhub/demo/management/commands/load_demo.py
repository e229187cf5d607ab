import os

from django.core.management.base import BaseCommand

from partnerhub.demo import world
from partnerhub.notifications.services import suppressed


class Command(BaseCommand):
    help = "Load the demo world (Kaiserslautern ↔ Yangzhou) once and print the demo logins."

    def handle(self, *args, **options):
        if world.is_loaded():
            self.stdout.write("The demo world is already loaded.")
        else:
            with suppressed():  # the demo's invented people get no e-mail
                world.load()
            self.stdout.write(self.style.SUCCESS("Demo world loaded."))
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nDemo logins (sign in at http://127.0.0.1:{port}/de/accounts/login/):")
        for login in world.logins():
            self.stdout.write(f"  {login.role:34} {login.email:40} password: {login.password}")
