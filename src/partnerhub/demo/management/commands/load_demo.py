from django.core.management.base import BaseCommand

from partnerhub.demo import world


class Command(BaseCommand):
    help = "Load the demo world (Kaiserslautern ↔ Yangzhou) once and print the demo logins."

    def handle(self, *args, **options):
        if world.is_loaded():
            self.stdout.write("The demo world is already loaded.")
        else:
            world.load()
            self.stdout.write(self.style.SUCCESS("Demo world loaded."))
        self.stdout.write("\nDemo logins (sign in at http://127.0.0.1:8000/de/accounts/login/):")
        for login in world.logins():
            self.stdout.write(f"  {login.role:34} {login.email:40} password: {login.password}")
