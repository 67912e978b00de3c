"""One shared way to draw a chart.

An app registers a :class:`ChartPanel` with ``charts`` (in its ``panels.py``):
a function of ``(user, filters)`` returning :class:`Figures` — a title, a
kind (bar, line, pie, radar or heatmap), the categories, one or more series
and a unit. A radar's categories are its axes (one polygon per series); a
heat map's categories are its columns and its series its rows (one cell per
value, coloured from ``low`` to ``high``). The
dashboards assemble the panels; ``Figures.figure_html`` (the ``{% chart %}`` tag) renders each as
a chart element, its figures in a ``json_script`` element (no inline script:
CSP) and an accessible ``<table>`` of the same figures; ``static/js/charts.js``
turns the data elements into ECharts. No page writes chart options, and every
chart's table downloads as Excel (:func:`figures_workbook`).

A panel's function reads maintained aggregates (balances, stored results,
monthly snapshots), never a raw ledger, and narrows what it reads with
``restrict`` for the user: a district's staff see only their district.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as _escape

from django.utils import timezone
from django.utils.html import conditional_escape, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from .formats import EMPTY, display, excel_value

KINDS = ("bar", "line", "pie", "radar", "heatmap")


@dataclass
class Series:
    name: str
    data: list  # one number (int, Decimal) or None per category


@dataclass
class Figures:
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    unit: str = ""
    #: a line under the chart (what the figures count, where they come from)
    note: str = ""
    #: a link to the records behind the figures, within the viewer's scope
    drill_url: str = ""
    #: the scale of a radar's axes and a heat map's colours (None: from the data)
    low: int | float | None = None
    high: int | float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {KINDS}")
        for s in self.series:
            if len(s.data) != len(self.categories):
                raise ValueError(
                    f"series {s.name!r}: {len(s.data)} values, not {len(self.categories)}"
                )

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(v in (None, 0) for s in self.series for v in s.data)

    def as_json(self) -> dict:
        """What ``charts.js`` reads (numbers as numbers, None as null)."""
        return {
            "title": str(self.title),
            "kind": self.kind,
            "unit": str(self.unit),
            "low": self.low,
            "high": self.high,
            "categories": [str(c) for c in self.categories],
            "series": [
                {"name": str(s.name), "data": [_number(v) for v in s.data]} for s in self.series
            ],
        }

    def headers(self) -> list[str]:
        return ["", *(str(s.name) for s in self.series)]

    def rows(self) -> list[list]:
        return [[str(c), *(s.data[i] for s in self.series)] for i, c in enumerate(self.categories)]

    def table_html(self) -> str:
        """The accessible table beside the chart (caption, column and row
        headers; values through ``formats.display``), built in one pass: a
        district's table has a row per school (137 and more), and rendering
        it cell by cell with ``{% for %}`` was most of a dashboard's time.
        Every text is escaped as ``django.utils.html.escape`` does (the same
        ``html.escape``, without its lazy-string wrapper per cell); a plain
        int or Decimal is written as ``display`` writes it and needs none."""
        caption = str(self.title) + (f" ({self.unit})" if self.unit else "")
        head = "".join(f'<th scope="col">{_escape(str(h))}</th>' for h in self.headers())
        columns = [[_cell(v) for v in s.data] for s in self.series]
        rows = []
        for i, c in enumerate(self.categories):
            cells = "".join(f"<td>{column[i]}</td>" for column in columns)
            rows.append(f'<tr><th scope="row">{_escape(str(c))}</th>{cells}</tr>')
        return mark_safe(  # noqa: S308 - every text above is escaped
            '<table class="table table-sm table-striped table-matrix small mb-1">'
            f'<caption class="visually-hidden">{_escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def figure_html(self, key: str, element_id: str, excel_url: str = "") -> str:
        """The one way a chart is drawn (the dashboards call it; templates use
        ``{% chart figures key element_id excel_url %}``): the chart element,
        its figures in a ``json_script`` element, its table, the note and the
        links; the empty state when it has no figures. Written in one pass,
        not a template included once per chart."""
        empty = self.is_empty
        key, note = conditional_escape(key), self.note
        if empty:
            message = conditional_escape(gettext("No figures for these filters yet."))
            body = (
                "\n    \n    "
                '<div class="text-center text-muted py-5 border rounded bg-white empty-state">\n'
                f'  <p class="mb-2">{message}</p>\n  \n</div>\n\n  '
            )
        else:
            element = conditional_escape(element_id)
            body = (
                "\n  "
                f'<div class="chart-canvas" aria-hidden="true" data-chart="{element}"></div>\n  '
                f"{json_script(self.as_json(), element_id)}\n  "
                '<div class="table-responsive chart-table mt-2">\n      '
                f"{self.table_html()}\n  </div>\n  "
            )
        note = f'<span class="me-auto">{conditional_escape(note)}</span>' if note else ""
        drill = (
            f'<a class="btn btn-sm btn-outline-secondary" '
            f'href="{conditional_escape(self.drill_url)}">'
            f"{conditional_escape(gettext('Records'))}</a>"
            if self.drill_url
            else ""
        )
        excel = (
            f'<a class="btn btn-sm btn-outline-primary" href="{conditional_escape(excel_url)}" '
            f'data-chart-excel="{key}">{conditional_escape(gettext("Excel"))}</a>'
            if excel_url and not empty
            else ""
        )
        return mark_safe(  # noqa: S308 - every text above is escaped
            f'\n<figure class="chart-figure mb-0" data-chart-panel="{key}">\n  {body}\n'
            '  <figcaption class="d-flex flex-wrap gap-2 align-items-center small text-muted mt-2">'
            f"\n    {note}\n    {drill}\n    {excel}\n  </figcaption>\n</figure>\n"
        )


def _cell(value) -> str:
    """A table cell's escaped text: ``escape(display(value))``, with the
    common cases (empty, int, Decimal) written directly."""
    kind = type(value)
    if value is None:
        return EMPTY
    if kind is int:
        return str(value)
    if kind is Decimal:
        return format(value.normalize(), "f")
    return _escape(display(value))


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, from the URL: a year, a training level (empty:
    every level), a district (None: every district the viewer sees)."""

    year: int
    level: str = ""
    district_id: int | None = None

    def query(self) -> dict:
        out = {"year": self.year}
        if self.level:
            out["level"] = self.level
        if self.district_id:
            out["district"] = self.district_id
        return out


def default_filters() -> Filters:
    return Filters(year=timezone.localdate().year)


@dataclass
class ChartPanel:
    key: str
    title: str
    #: figures(user, filters) -> Figures, or None to hide the panel
    figures: Callable
    #: a predicate on the user; the panel shows only where it holds
    visible: Callable
    #: the dashboards it belongs on ("bureau", "district", "center")
    dashboards: Sequence[str] = ("bureau",)
    order: int = 100
    width: int = 6  # of 12 grid columns


@dataclass
class SnapshotFigure:
    """A key figure the monthly snapshot keeps (``dashboards.tasks``): its
    ``compute(on)`` returns ``{district id or None (the city): number}``
    from maintained aggregates, for the date ``on``."""

    key: str
    label: str
    compute: Callable
    unit: str = ""
    order: int = 100


@dataclass
class ChartRegistry:
    panels: dict[str, ChartPanel] = field(default_factory=dict)
    figures: dict[str, SnapshotFigure] = field(default_factory=dict)

    def register(self, panel: ChartPanel) -> ChartPanel:
        self.panels[panel.key] = panel
        return panel

    def add_figure(self, figure: SnapshotFigure) -> SnapshotFigure:
        self.figures[figure.key] = figure
        return figure

    def snapshot_figures(self) -> list[SnapshotFigure]:
        return sorted(self.figures.values(), key=lambda f: (f.order, f.key))

    def get(self, key) -> ChartPanel | None:
        return self.panels.get(key)

    def for_dashboard(self, dashboard: str, user) -> list[ChartPanel]:
        return sorted(
            (p for p in self.panels.values() if dashboard in p.dashboards and p.visible(user)),
            key=lambda p: (p.order, p.key),
        )


charts = ChartRegistry()


def figures_workbook(figures: Figures) -> bytes:
    """A chart's table as an ``.xlsx`` workbook: its title, the unit, the
    table's header and rows (values through the one formatter)."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(figures.title)[:31] or "Sheet"
    ws.append([str(figures.title)])
    ws["A1"].font = Font(bold=True)
    if figures.unit:
        ws.append([str(figures.unit)])
    ws.append(figures.headers())
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in figures.rows():
        ws.append([excel_value(v) for v in row])
    ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
