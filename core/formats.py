"""How a value reads wherever a person sees it: pages (the ``portal`` template
filters), Excel workbooks (``excel_value``) and printed transcripts.

One definition each: times are local (``TIME_ZONE``, Asia/Shanghai), written
``2026-12-09 09:00``; dates ``2026-12-09``; hours without a useless ``.0``;
yes/no in words; money as ``¥1,234.50`` on pages and as a number with the
same look (``"¥"#,##0.00``) in workbooks; an empty value as an em dash on
pages and an empty cell in workbooks."""

from __future__ import annotations

import datetime
import decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M"
EMPTY = "—"


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in local time (naive ones are taken as local already)."""
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_datetime(value) -> str:
    return local(value).strftime(DATETIME) if value else ""


def format_date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = local(value)
    return value.strftime(DATE) if value else ""


def format_number(value) -> str:
    """``360.0`` → ``360``, ``12.50`` → ``12.5``, ``1234`` → ``1234``."""
    if value is None or value == "":
        return ""
    if isinstance(value, float | str):
        try:
            value = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return str(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return str(value)


class Money(decimal.Decimal):
    """An amount in yuan (a Decimal that knows it is money): ``display``
    writes it ``¥1,234.50`` and a workbook keeps it a number in the ¥ format."""


def money(value):
    """Mark an amount as money for a workbook row (``None`` stays empty)."""
    if value is None or value == "":
        return None
    return Money(value)


def format_amount(value) -> str:
    """An amount of yuan without the sign, for a text that writes ``¥`` or 元
    itself: ``285000`` → ``285,000.00``; empty → ``""``."""
    if value is None or value == "":
        return ""
    try:
        return f"{decimal.Decimal(str(value)):,.2f}"
    except decimal.InvalidOperation:
        return str(value)


def format_money(value) -> str:
    """``Decimal("285000")`` → ``¥285,000.00``; ``-5`` → ``-¥5.00``; empty → ``""``."""
    text = format_amount(value)
    if not text or not text.lstrip("-")[:1].isdigit():
        return text
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


def display(value) -> str:
    """The text a page shows for any value (``—`` when empty)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, Money):
        return format_money(value)
    if isinstance(value, float | decimal.Decimal):
        return format_number(value)
    return str(value)


def excel_value(value):
    """A workbook cell: local naive datetimes (Excel has no time zones), words for
    booleans, numbers as numbers, models and lazy strings as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return local(value).replace(tzinfo=None)
    if isinstance(value, str | int | float | decimal.Decimal | datetime.date | datetime.time):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


#: openpyxl number formats for the cells ``excel_value`` gives
EXCEL_MONEY = '"¥"#,##0.00;-"¥"#,##0.00'
EXCEL_FORMATS = {
    datetime.datetime: "yyyy-mm-dd hh:mm",
    datetime.date: "yyyy-mm-dd",
    Money: EXCEL_MONEY,
}
