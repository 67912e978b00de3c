from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def _is_project_app(path: Path, base: Path) -> bool:
    """The project's own apps; not installed packages, even when the virtual
    environment lives inside the project (``.venv``): they ship compiled
    catalogues of their own."""
    return path.is_relative_to(base) and "site-packages" not in path.parts


class Command(BaseCommand):
    """Compile every .po of the project to .mo with Babel, so set-up needs no
    GNU gettext (``compilemessages`` does)."""

    help = "Compile the project's translations (.po → .mo) without GNU gettext."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR).resolve()
        dirs = [Path(p) for p in settings.LOCALE_PATHS]
        dirs += [
            Path(cfg.path) / "locale"
            for cfg in apps.get_app_configs()
            if _is_project_app(Path(cfg.path).resolve(), base)
        ]
        compiled = 0
        for locale_dir in dirs:
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as fh:
                    catalog = read_po(fh, locale=po_path.parent.parent.name)
                with po_path.with_suffix(".mo").open("wb") as fh:
                    write_mo(fh, catalog, use_fuzzy=False)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogues.")
