"""The project's translation catalogues, read in Django's order of precedence.

Django merges every catalogue into one per language: ``LOCALE_PATHS`` first,
then the apps in ``INSTALLED_APPS`` order, the first one holding a message
winning. A message (context, msgid) translated differently in two catalogues
is therefore a *collision*: the app listed later silently shows the other
app's Chinese. ``collisions()`` lists them; ``manage.py translationcollisions``
prints them and ``tests/core/test_translation_collisions.py`` fails on any.
Installed packages listed before the project's apps (Django admin, DRF,
django-filter) win over them too: ``shadowed()`` lists the messages they
translate otherwise; the project's word then goes into the root ``locale/``,
which comes first of all.
The rule for resolving one is in CONTRIBUTING.md ("Translations").
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings

LANGUAGE = "zh_Hans"


@dataclass(frozen=True)
class Translation:
    catalogue: str  # "locale" for LOCALE_PATHS, else the app label
    msgstr: str | tuple[str, ...]
    locations: tuple[tuple[str, int | None], ...]


def _is_project_app(path: Path, base: Path) -> bool:
    return path.is_relative_to(base) and "site-packages" not in path.parts


def catalogue_paths(language: str = LANGUAGE) -> list[tuple[str, Path]]:
    """(name, .po path) of every project catalogue, highest precedence first."""
    base = Path(settings.BASE_DIR).resolve()
    found = [
        ("locale", Path(p) / language / "LC_MESSAGES" / "django.po") for p in settings.LOCALE_PATHS
    ]
    found += [
        (cfg.label, Path(cfg.path) / "locale" / language / "LC_MESSAGES" / "django.po")
        for cfg in apps.get_app_configs()
        if _is_project_app(Path(cfg.path).resolve(), base)
    ]
    return [(name, path) for name, path in found if path.exists()]


def translations(language: str = LANGUAGE) -> dict[tuple[str | None, str], list[Translation]]:
    """Every translated (msgctxt, msgid) with its translation in each catalogue,
    in order of precedence. Empty and fuzzy entries are left out: Django
    ignores them too (the message falls through to the next catalogue)."""
    found = defaultdict(list)
    for name, path in catalogue_paths(language):
        with path.open("rb") as fh:
            catalogue = read_po(fh, locale=language)
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not any(strings):
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            msgstr = message.string if isinstance(message.string, tuple) else message.string
            found[(message.context, msgid)].append(
                Translation(name, msgstr, tuple(message.locations))
            )
    return dict(found)


def collisions(language: str = LANGUAGE) -> dict[tuple[str | None, str], list[Translation]]:
    """The (msgctxt, msgid) translated differently by two catalogues."""
    return {
        key: found
        for key, found in translations(language).items()
        if len({t.msgstr for t in found}) > 1
    }


def shadowed(language: str = LANGUAGE) -> dict[tuple[str | None, str], tuple[str, str]]:
    """(msgctxt, msgid) → (the project's Chinese, what a page shows) where
    another catalogue (an installed package's) wins over the project's."""
    from django.utils import translation

    found = {}
    with translation.override(language.replace("_", "-").lower()):
        for (context, msgid), candidates in translations(language).items():
            msgstr = candidates[0].msgstr
            if isinstance(msgstr, tuple):  # plural forms: Chinese has one
                continue
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if shown != msgstr:
                found[(context, msgid)] = (msgstr, shown)
    return found
