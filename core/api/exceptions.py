"""One error body for the whole API::

{"error": {"status": 400, "code": "invalid", "message": "...", "details": {...}}}
"""

import logging
import re

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_response(status_code, code, message, details=None, headers=None):
    body = {"error": {"status": status_code, "code": code, "message": str(message)}}
    if details:
        body["error"]["details"] = details
    return Response(body, status=status_code, headers=headers)


logger = logging.getLogger(__name__)


def _condition_field(condition):
    """The first field a check constraint's condition names."""
    for child in getattr(condition, "children", []):
        if isinstance(child, tuple):
            return child[0].split("__")[0]
        found = _condition_field(child)
        if found:
            return found
    return None


def _constraint_for(message):
    """The model constraint an ``IntegrityError`` message names (PostgreSQL and
    SQLite name the constraint; SQLite names a unique one by its columns)."""
    columns = None
    match = re.search(r"UNIQUE constraint failed: (.+)$", message, re.MULTILINE)
    if match:
        columns = {c.strip() for c in match.group(1).split(",")}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if re.search(rf"\b{re.escape(constraint.name)}\b", message):
                return model, constraint
            if columns and isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                table = model._meta.db_table
                wanted = {f"{table}.{model._meta.get_field(f).column}" for f in constraint.fields}
                if wanted == columns:
                    return model, constraint
    return None, None


def integrity_error_details(exc: IntegrityError) -> dict:
    """A field → messages dict for a database constraint the request broke:
    the constraint's own message when it has one, a general one otherwise."""
    model, constraint = _constraint_for(str(exc))
    field = None
    if isinstance(constraint, models.UniqueConstraint):
        field = constraint.fields[0] if constraint.fields else None
        message = _("A record with these values already exists.")
    elif isinstance(constraint, models.CheckConstraint):
        field = _condition_field(constraint.condition)
        message = _("This value breaks a rule of the record; check it and try again.")
    else:
        message = _("The record conflicts with another one; check the values and try again.")
    if constraint is not None and constraint.violation_error_message != (
        constraint.default_violation_error_message
    ):
        message = str(constraint.violation_error_message % {"name": constraint.name})
    if model is not None and field is not None:
        try:
            model._meta.get_field(field)
        except Exception:  # noqa: BLE001 - a lookup, not a field: say it for the record
            field = None
    return {field or "non_field_errors": [message]}


def exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        # The last line of defence: validation should have said it first.
        logger.warning("API request broke a database constraint: %s", exc)
        exc = exceptions.ValidationError(integrity_error_details(exc))
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a time-zone offset beyond ±15:59,
        # a number or text out of range) that validation let through.
        logger.warning("API request sent a value the database refused: %s", exc)
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("A value is outside what the portal can store.")]}
        )
    elif isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", "Invalid input.", data
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message, details = str(detail), None
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        code = "throttled"
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    return error_response(response.status_code, code, message, details, headers)
