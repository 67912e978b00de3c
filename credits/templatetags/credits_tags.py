"""Tables of the credits pages built in one pass (``{% load credits_tags %}``).

The teacher page's history and the completion table are a row per entry or per
school (20 and 136–1,500 rows): through ``{% for %}`` every cell is a template
node resolved, filtered and escaped on its own, and each row reversed its own
link. Here each table is one loop in Python over the same fields, every text
escaped (``conditional_escape``), the same HTML as the templates wrote
(``tests/credits/test_pages.py`` renders both and compares); a link's pattern
is reversed once a table."""

from decimal import Decimal
from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.formats import EMPTY
from core.templatetags.portal import hours

from ..models import Category, OrgKind, Source, choice_label

register = template.Library()

_PK = 2**62  # an id no row has: reversed once, then replaced by each row's


def link_pattern(name: str) -> str:
    """``reverse(name, args=[pk])`` as a ``str.format`` pattern: ``{}`` for the pk."""
    return reverse(name, args=[_PK]).replace(str(_PK), "{}")


class _Labels(dict):
    """A choice's label, escaped, per value: translated and escaped once a table."""

    def __init__(self, label):
        super().__init__()
        self.label = label

    def __missing__(self, value):
        text = self[value] = esc(self.label(value))
        return text


@register.simple_tag
def history_rows(entries) -> str:
    """The ``<tr>`` rows of a teacher's history (``CreditEntry`` rows).
    Dates and hours are digits, ``-`` and ``.`` (nothing to escape); the link
    pattern is escaped once; titles, reasons and organisations each row."""
    url = str(esc(link_pattern("credits:entry-detail")))  # escaped once; "{}" stays
    badge = f'<span class="badge bg-danger-subtle text-danger">{esc(gettext("reversal"))}</span>'
    categories = _Labels(lambda v: choice_label(Category, v))
    sources = _Labels(lambda v: choice_label(Source, v))
    kinds = _Labels(lambda v: choice_label(OrgKind, v))
    rows = []
    for e in entries:
        if e.reverses_id is not None:
            start, mark = '<tr class="text-danger">', f" {badge} <small>{esc(e.reason)}</small>"
        else:
            start, mark = "<tr>", ""
        rows.append(
            f"{start}<td>{e.earned_on.isoformat() if e.earned_on else ''}</td>"
            f'<td><a href="{url.format(e.pk)}">{esc(e.title or e.activity_key or "—")}</a>'
            f"{mark}</td><td>{categories[e.category]}</td><td>{sources[e.source]}</td>"
            f'<td class="text-end">{hours(e.hours)}</td>'
            f"<td>{esc(e.org_name) if e.org_name else kinds[e.org_kind]}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text above is escaped


def _hours(value) -> str:
    """``hours`` for a Decimal without the filter's checks (``format_number``)."""
    if type(value) is Decimal:
        return format(value.normalize(), "f")
    return hours(value)


@register.simple_tag
def completion_rows(rows, level) -> str:
    """The ``<tr>`` rows of the completion table (``CompletionRow``s): per
    district (a link to its schools) or per school (a link to its teachers at
    risk). A district's table has a row per school (137 and more), so each row
    is written as ``Figures.table_html`` writes its cells: counts are ints,
    the rate is ``percent``'s float written once for the bar's width and once
    for its label, the average hours ``format_number``'s Decimal (digits, ``.``
    and ``%``: nothing to escape) and the name escaped by ``html.escape`` (what
    ``conditional_escape`` does for a ``str``, without its lazy-string wrapper
    per cell)."""
    if level == "district":
        link = "?district={}"
    else:
        link = str(esc(reverse("credits:at-risk"))) + "?school={}"
    out = []
    for r in rows:
        teachers = r.teachers
        if teachers:
            rate = float(r.complete / teachers) * 100
            width, label = f"{rate:.0f}", f"{rate:.1f}%"
        else:
            width = label = EMPTY
        out.append(
            f'<tr><td><a href="{link.format(r.key)}">{_escape(str(r.name))}</a></td>'
            f'<td class="text-end">{teachers}</td><td class="text-end">{r.complete}</td>'
            '<td><div class="progress progress-mid"><div class="progress-bar bg-success" '
            f'data-width="{width}">{label}</div></div></td>'
            f'<td class="text-end">{r.at_risk}</td>'
            f'<td class="text-end">{_hours(r.average)}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
