"""China's 18-digit resident identity number (GB 11643-1999)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalise_id_number(value)
    if not _PATTERN.match(value):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The ID number's date of birth is not a real date."), code="id_birth"
        ) from exc
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="id_check")


def mask_id_number(value: str) -> str:
    """``440104********1234``: region kept, birth date hidden."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def validate_ladder_step(value: str) -> None:
    """A reference to a step of the career ladders (``centers.ladders_data``),
    written ``ladder:step`` (e.g. ``municipal-teacher:studio_host``)."""
    from .ladders_data import step_names

    if value and value not in step_names():
        raise ValidationError(
            _(
                "Unknown career ladder step “%(value)s”: write ladder:step, one of the steps "
                "of GET /api/v1/standards/ladders/ (e.g. municipal-teacher:studio_host)."
            ),
            code="ladder_step",
            params={"value": value},
        )
