from django.core.management.base import BaseCommand
from django.db import transaction

from core.registry import registry


class Command(BaseCommand):
    help = "Load the demo federation (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Do not print the demo log-ins."
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            for loader in sorted(registry.demo, key=lambda d: d.order):
                loader.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo federation loaded."))
        if not options["quiet_accounts"]:
            self.stdout.write("\n演示账号 / Demo log-ins:")
            for label, username, password in registry.demo_accounts:
                self.stdout.write(f"  {label:<40} {username:<16} {password}")
