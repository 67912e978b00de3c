from django.core.management.base import BaseCommand, CommandError

from core.translations import collisions


class Command(BaseCommand):
    """List the messages two catalogues translate differently (the first one
    in Django's order wins on every page; see CONTRIBUTING.md, "Translations")."""

    help = "List (msgctxt, msgid) pairs translated differently in two of the project's catalogues."

    def handle(self, *args, **options):
        found = collisions()
        for (context, msgid), translations in sorted(
            found.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")
        ):
            label = f"{context} | {msgid}" if context else msgid
            self.stdout.write(label)
            for t in translations:
                self.stdout.write(f"    {t.catalogue}: {t.msgstr}")
        if found:
            raise CommandError(
                f"{len(found)} messages are translated differently in two catalogues."
            )
        self.stdout.write("No translation collisions.")
