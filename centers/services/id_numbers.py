"""Whole ID numbers: shown only to those allowed, and every showing audited."""

from __future__ import annotations


def reveal_id_number(*, user, teacher, request=None) -> str:
    """The teacher's whole ID number, for a user allowed to see it (see
    the ``reveal_id`` rule on teachers); every showing is audited."""
    from django.core.exceptions import PermissionDenied

    from core.audit import record
    from core.models import AuditAction
    from core.permissions import can

    if not can(user, "reveal_id", teacher):
        raise PermissionDenied
    record(
        AuditAction.SENSITIVE_VIEW,
        teacher,
        actor=user,
        request=request,
        message="id_number shown whole",
    )
    return teacher.id_number
