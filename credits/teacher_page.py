"""The teacher page's own statements (``/credits/`` and a teacher's drill-down),
compiled once per shape of the user's scope (``core.statements.ScopedStatement``):
the teacher record the user may see as themself, the history page, the pending
claims and the transcripts. Each is the ``restrict``ed queryset the view would
build, its SQL compiled by the ORM for the shape and run with this request's
user, organisations and teacher; the rows become instances as the queryset's
own iteration makes them (``ModelIterable``: the converters, the related
objects of ``select_related``, the annotations). No row is kept: what
invalidates a compile is what ``ScopedStatement`` says (the rules' version, a
change of shape)."""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Count, Window
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404
from django.shortcuts import get_object_or_404

from centers.models import Teacher
from core.permissions import get_scope
from core.statements import ScopedStatement, compose

from .models import CreditClaim, CreditEntry, Transcript

HISTORY_PAGE = 20


def _run(statement, model, user, **values):
    """The instances ``statement`` selects for ``user``; None when it must be
    built by the ORM (a shape that is not one statement). The database the
    router reads ``model`` from is part of the key: a read inside
    ``replica_reads()`` goes to the replica, one that must see its writes to
    the primary, as the queryset's would."""
    key = (router.db_for_read(model),)
    found = statement.statement(user, get_scope(user), key, **values)
    if found is None:
        return None
    using, sql, params, reader = found
    if sql is None:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return reader(cursor.fetchall())


# The querysets, as the view wrote them (each through ``restrict``).


def own_teacher_queryset(user):
    return (
        Teacher.objects.restrict(user, "self")
        .select_related("school", "district")
        .filter(is_active=True)
    )


def entries_queryset(user, teacher):
    return CreditEntry.objects.restrict(user).filter(teacher=teacher).order_by("-earned_on", "-id")


def history_queryset(user, teacher, start):
    return entries_queryset(user, teacher).annotate(history_count=Window(Count("pk")))[
        start : start + HISTORY_PAGE
    ]


def pending_queryset(user, teacher):
    return (
        CreditClaim.objects.restrict(user)
        .filter(teacher=teacher)
        .pending()
        .order_by("-created_at")[:20]
    )


def transcripts_queryset(user, teacher):
    return Transcript.objects.restrict(user).filter(teacher=teacher)[:5]


def _own_teacher_get(user):
    """What ``get()`` runs: no ordering, at most ``MAX_GET_RESULTS`` rows."""
    return own_teacher_queryset(user).order_by()[:MAX_GET_RESULTS]


_OWN_TEACHER = ScopedStatement(lambda user: compose(_own_teacher_get(user)))
_PENDING = ScopedStatement(
    lambda user, *, teacher: compose(pending_queryset(user, teacher)), ints=("teacher",)
)
_TRANSCRIPTS = ScopedStatement(
    lambda user, *, teacher: compose(transcripts_queryset(user, teacher)), ints=("teacher",)
)
# The first history page only (the one nearly every request asks for): Django
# writes ``OFFSET`` into the SQL as a literal, so each later page would be a
# statement of its own; those take the ORM's path.
_FIRST_HISTORY_PAGE = ScopedStatement(
    lambda user, *, teacher: compose(history_queryset(user, teacher, 0)), ints=("teacher",)
)


def own_teacher(user):
    """``get_object_or_404`` of the user's own active teacher record, its
    school and district with it."""
    found = _run(_OWN_TEACHER, Teacher, user)
    if found is None:
        return get_object_or_404(own_teacher_queryset(user))
    if len(found) == 1:
        return found[0]
    if not found:
        raise Http404(f"No {Teacher._meta.object_name} matches the given query.")
    raise Teacher.MultipleObjectsReturned(
        f"get() returned more than one {Teacher._meta.object_name} -- it returned {len(found)}!"
    )


def pending(user, teacher) -> list:
    found = _run(_PENDING, CreditClaim, user, teacher=teacher.pk)
    return list(pending_queryset(user, teacher)) if found is None else found


def transcripts(user, teacher) -> list:
    found = _run(_TRANSCRIPTS, Transcript, user, teacher=teacher.pk)
    return list(transcripts_queryset(user, teacher)) if found is None else found


def history_rows(user, teacher, start) -> list:
    if start == 0:
        found = _run(_FIRST_HISTORY_PAGE, CreditEntry, user, teacher=teacher.pk)
        if found is not None:
            return found
    return list(history_queryset(user, teacher, start))
