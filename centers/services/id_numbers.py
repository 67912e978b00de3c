"""Whole ID numbers: shown only to those allowed, and every showing audited."""

from __future__ import annotations


def reveal_id_number(*, user, teacher, request=None) -> str:
    """The teacher's whole ID number, for a user allowed to see it (see
    the ``reveal_id`` rule on teachers); every showing is audited."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext_lazy

    from core.audit import record, register_message
    from core.models import AuditAction
    from core.permissions import can

    if not can(user, "reveal_id", teacher):
        raise PermissionDenied
    record(
        AuditAction.SENSITIVE_VIEW,
        teacher,
        actor=user,
        request=request,
        key=register_message("centers.id_number_shown", gettext_lazy("ID number shown whole")),
    )
    return teacher.id_number
