from django import template
from django.utils.html import format_html

from core import formats, links

register = template.Library()


@register.filter
def attr(obj, path):
    """``obj|attr:"school.district.name"``; calls ``get_FOO_display`` where there is one."""
    value = obj
    for part in str(path).split("."):
        if value is None:
            return ""
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, "")
        if callable(value):
            value = value()
    return "" if value is None else value


@register.filter
def show(value):
    """Any value as a person reads it (``core.formats.display``): 是/否 for
    booleans, local times, ``2026-12-09`` dates, ``360`` hours, ``—`` if empty."""
    return formats.display(value)


@register.filter
def hours(value):
    """``360.0`` → ``360``; ``None`` → ``—``."""
    return formats.format_number(value) if value not in (None, "") else formats.EMPTY


@register.filter
def yuan(value):
    """Money wherever a page shows it: ``285000`` → ``¥285,000.00``; ``None`` → ``—``
    (``core.formats.format_money``)."""
    return formats.format_money(value) if value not in (None, "") else formats.EMPTY


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.filter
def verbose_name_plural(obj):
    return obj._meta.verbose_name_plural


@register.filter
def add_class(bound_field, css):
    """Render a form field with one more CSS class (``is-invalid``)."""
    attrs = bound_field.field.widget.attrs
    return bound_field.as_widget(attrs={"class": f"{attrs.get('class', '')} {css}".strip()})


@register.filter
def active_filters(form):
    """How many filters of a list are set (shown on the folded 筛选 button)."""
    data = form.data if form.is_bound else {}
    return sum(1 for f in form.visible_fields() if data.get(f.html_name) not in (None, ""))


@register.filter
def qr(text):
    """A QR code (inline SVG) of a link, e.g. a printed transcript's verification URL."""
    import segno
    from django.utils.safestring import mark_safe

    svg = segno.make(str(text), error="m").svg_inline(scale=3, dark="#000", light="#fff")
    return mark_safe(svg.replace("<svg ", '<svg role="img" class="qr-code" ', 1))  # noqa: S308


@register.simple_tag
def status_badge(value, label, tone="secondary"):
    """A status as a badge with text *and* colour (never colour alone)."""
    return format_html(
        '<span class="badge text-bg-{} status-badge" data-status="{}">{}</span>',
        tone,
        value,
        label,
    )


@register.simple_tag
def chart(figures, key, element_id, excel_url=""):
    """One chart: its drawing (``charts.js`` reads the ``json_script`` element),
    its table and its Excel link, as ``Figures.figure_html`` writes it (the one
    way a chart is drawn: the dashboards call it directly)."""
    return figures.figure_html(key, element_id, excel_url)


@register.simple_tag
def fixed_static(path):
    """``{% static path %}`` asked of the storage once per storage object
    (``core.links.static_address``): the page frame's stylesheets and scripts."""
    return links.static_address(path)


@register.simple_tag
def fixed_url(name):
    """``{% url name %}`` for a URL name that takes no arguments, reversed
    once per URL configuration and script prefix (``core.links``)."""
    return links.address(name)


def _called(value):
    """A context value as ``{{ name }}`` resolves it: a callable is called."""
    if callable(value) and not getattr(value, "do_not_call_in_templates", False):
        return value()
    return value


#: ``(id(bar), language)`` -> (the bar, its links' escaped texts): see ``_written``
_bars: dict[tuple, tuple] = {}


def _written(bar) -> list[tuple]:
    """A navigation bar's texts escaped once per bar and language: the bar is
    built once per set of roles and never changed (``NavEntry``), a new one
    (new rules, roles, URL configuration) is another object, and the labels
    are lazy translations, so the language is the other half of the key
    (``tests/core/test_navigation.py`` renders both languages off one bar)."""
    from django.utils.html import conditional_escape as esc
    from django.utils.translation import get_language

    key = (id(bar), get_language())
    found = _bars.get(key)
    if found is not None and found[0] is bar:
        return found[1]
    written = []
    for entry in bar:
        if entry.section:
            links = []
            for position, item in enumerate(entry.items):
                heading = ""
                if item.heading:
                    heading = '<li><hr class="dropdown-divider"></li>' if position else ""
                    heading += f'<li><h6 class="dropdown-header">{esc(item.heading)}</h6></li>'
                link = f'" href="{esc(item.href)}" data-nav="{esc(item.key)}">'
                link += f"{esc(item.label)}</a></li>"
                links.append((item.url_name, heading, link))
            written.append((entry, esc(entry.section.key), esc(entry.section.label), links))
        else:
            item = entry.item
            link = f'" href="{esc(item.href)}" data-nav="{esc(item.key)}">{esc(item.label)}'
            written.append((entry, None, None, link))
    if len(_bars) > 256:  # bars of rules or configurations gone (tests)
        _bars.clear()
    _bars[key] = (bar, written)
    return written


@register.simple_tag(takes_context=True)
def nav_bar(context):
    """The main navigation's links (``nav_entries``, worked out once per set of
    roles by ``Registry.nav_bar``) with the current page marked and the two
    badges, written in one pass: the same bytes the loops of ``base.html``
    wrote (``tests/core/test_navigation.py`` compares them with that template
    for every user of the test world, both languages and several pages), each
    label and address escaped as ``{{ }}`` escapes them (``_written``)."""
    from django.utils.formats import localize
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    match = getattr(context.get("request"), "resolver_match", None)
    here = match.view_name if match is not None else ""
    out = ["\n        \n        "]
    for entry, section_key, section_label, link in _written(context.get("nav_entries") or ()):
        if entry.section:
            active = " active" if here in entry.url_names else ""
            out.append(
                '\n          \n          <li class="nav-item dropdown">\n'
                f'            <a class="nav-link dropdown-toggle{active}" href="#" role="button"'
                ' data-bs-toggle="dropdown" aria-expanded="false"'
                f' data-nav-section="{section_key}">{section_label}</a>\n'
                '            <ul class="dropdown-menu">\n              '
            )
            for url_name, heading, item_link in link:
                active = " active" if here == url_name else ""
                out.append(f'{heading}<li><a class="dropdown-item{active}{item_link}')
            out.append("\n            </ul>\n          </li>\n          \n        ")
            continue
        item = entry.item
        active = ' active" aria-current="page' if here == item.url_name else ""
        badge = ""
        if item.key in ("inbox", "notifications"):
            inbox = item.key == "inbox"
            n = _called(context.get("inbox_count" if inbox else "unread_count"))
            if n:
                badge = (
                    ' <span class="badge rounded-pill text-bg-warning"'
                    f' id="{"inbox-count" if inbox else "unread-count"}">'
                    f"{esc(localize(n, use_l10n=context.use_l10n))}"
                    '<span class="visually-hidden"> '
                    f"{esc(gettext('items waiting') if inbox else gettext('unread'))}</span></span>"
                )
        out.append(
            '\n          \n          <li class="nav-item">'
            f'<a class="nav-link{active}{link}{badge}</a></li>\n          \n        '
        )
    out.append("\n        ")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
