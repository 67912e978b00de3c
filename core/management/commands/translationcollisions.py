from django.core.management.base import BaseCommand, CommandError

from core.translations import collisions, shadowed


def _label(context, msgid):
    return f"{context} | {msgid}" if context else msgid


class Command(BaseCommand):
    """List the messages two catalogues translate differently (the first one
    in Django's order wins on every page) and those an installed package's
    catalogue shadows; see CONTRIBUTING.md, "Translations". Reads the .po
    files; the shadowed check reads the compiled .mo (run compiletranslations)."""

    help = "List messages translated differently in two catalogues, or shadowed by a package."

    def handle(self, *args, **options):
        found = collisions()
        for (context, msgid), translations in sorted(
            found.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")
        ):
            self.stdout.write(_label(context, msgid))
            for t in translations:
                self.stdout.write(f"    {t.catalogue}: {t.msgstr}")
        hidden = shadowed()
        for (context, msgid), (msgstr, shown) in sorted(hidden.items(), key=lambda kv: kv[0][1]):
            self.stdout.write(
                f"{_label(context, msgid)}: the project says {msgstr}, pages show {shown}"
            )
        if found or hidden:
            raise CommandError(
                f"{len(found)} messages are translated differently in two catalogues, "
                f"{len(hidden)} shadowed by an installed package."
            )
        self.stdout.write("No translation collisions.")
