from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from customs_portal.demo import seed_apps, seed_demo


class Command(BaseCommand):
    help = "Creates the demo companies and one login per role (idempotent) and prints the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="Seed even though DEBUG is off (a demo server)."
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo logins with DEBUG off; pass --allow-production for a demo server."
            )
        logins = seed_demo(password=settings.DEMO_PASSWORD)
        notes = []
        for module, seconds, lines in seed_apps():
            self.stdout.write(f"Seeded {module} ({seconds:.1f} s)")
            notes.extend(lines)
        for line in notes:
            self.stdout.write(line)
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.description}")
