"""The audit log: who did what, when, from which address, and what changed.

Requests set the actor and address in a context variable (``AuditContextMiddleware``,
and the API's authentication for tokens); services and signal handlers call
``record(...)``. Models that inherit ``AuditedModel`` are logged on every
create, change and delete with the fields that changed. Bulk writes (syncs,
imports) bypass model signals: their services record one summary entry.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import functools
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.fields.files import FieldFile, FileField
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

from .models import AuditAction, AuditEntry

#: message keys → lazy texts with ``%(name)s`` placeholders (``register_message``)
MESSAGES: dict[str, object] = {}


#: labels of entries in ``changes`` that are no model field (a handover's
#: "ended", "granted"), shown by the log in the reader's language
CHANGE_LABELS: dict[str, object] = {}


#: entries in ``changes`` whose values are user ids (a handover's "ended",
#: "granted"): the log shows each person's name and roles instead
PEOPLE_CHANGES: set[str] = set()


def register_people_change(key: str, label) -> str:
    """A ``changes`` entry (not a model field) holding user ids, e.g. the
    accounts a handover ended; ``label`` names it in the log."""
    CHANGE_LABELS[key] = label
    PEOPLE_CHANGES.add(key)
    return key


def people_names(user_ids, on=None) -> dict[int, str]:
    """{user id: "王老师（中心工作人员、秘书处）"}: each person's name and the
    roles they hold on ``on`` (today if not given; a person who has left
    reads as their name alone); two queries whatever the number of people.
    An id with no user left reads as itself."""
    from django.contrib.auth import get_user_model

    from .models import Membership

    ids = {int(i) for i in user_ids if isinstance(i, int) or str(i).isdigit()}
    if not ids:
        return {}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    roles: dict[int, list[str]] = {}
    memberships = (
        Membership.objects.active(on).filter(user_id__in=users).order_by("user_id", "role")
    )
    for membership in memberships:
        label = str(membership.get_role_display())
        held = roles.setdefault(membership.user_id, [])
        if label not in held:
            held.append(label)
    names = {}
    for pk in ids:
        user = users.get(pk)
        if user is None:
            names[pk] = str(pk)
            continue
        held = roles.get(pk)
        names[pk] = f"{user}（{'、'.join(held)}）" if held else str(user)
    return names


def register_message(key: str, text) -> str:
    """An audit message apps record by key (``record(..., key=..., params=...)``),
    rendered through gettext when the log is read."""
    MESSAGES[key] = text
    return key


def render_message(key: str, params: dict, fallback: str = "") -> str:
    text = MESSAGES.get(key)
    if text is None:
        return fallback or key
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        return str(text)


@dataclass(frozen=True)
class AuditContext:
    actor: object | None = None
    ip: str | None = None
    path: str = ""


_NO_CONTEXT = AuditContext()
_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def set_context(*, actor=None, ip=None, path="") -> contextvars.Token:
    return _context.set(AuditContext(actor=actor, ip=ip, path=path[:300]))


def reset_context(token) -> None:
    _context.reset(token)


def current_context() -> AuditContext:
    return _context.get() or _NO_CONTEXT


def client_ip(request) -> str | None:
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # an empty one has no url: only its name
        return value.name or ""
    return value


def record(
    action,
    obj=None,
    *,
    actor=None,
    changes=None,
    message="",
    key="",
    params=None,
    request=None,
    object_type="",
    object_id="",
    object_repr="",
):
    """Append one entry to the audit log and return it. ``key`` and
    ``params`` (a registered message) let the log show the message in the
    reader's language; ``message`` alone is kept as written."""
    ctx = current_context()
    if request is not None:
        actor = actor or (request.user if request.user.is_authenticated else None)
        ip, path = client_ip(request), request.path[:300]
    else:
        actor = actor or ctx.actor
        ip, path = ctx.ip, ctx.path
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=(actor.get_username() if actor else "")[:150],
        ip=ip,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        message=message or (render_message(key, params or {}) if key else ""),
        message_key=key,
        message_params={k: _plain(v) for k, v in (params or {}).items()} if key else None,
        path=path,
    )


class AuditedModel(models.Model):
    """A domain record whose every create, change and delete is audited."""

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The values as loaded, kept by reference: the snapshot a save compares
        # with is made of them only when something asks for it (a save, a
        # delete), not for each of the thousands of rows a page or an export
        # only reads (making it for every row was a third of an export's
        # reading: docs/benchmarks.md, "Export: passes").
        instance.__dict__["_audit_loaded"] = (field_names, values)
        return instance

    @property
    def _audit_snapshot(self):
        found = self.__dict__.get("_audit_snapshot_made")
        if found is None:
            loaded = self.__dict__.get("_audit_loaded")
            if loaded is None:
                raise AttributeError("_audit_snapshot")
            excluded, files = _loaded_shape(type(self))
            found = {
                attname: (value or "") if attname in files else _plain(value)
                for attname, value in zip(*loaded, strict=True)
                if attname not in excluded
            }
            self.__dict__["_audit_snapshot_made"] = found
        return found

    @_audit_snapshot.setter
    def _audit_snapshot(self, values):
        self.__dict__["_audit_snapshot_made"] = values

    def _audit_values(self):
        values = {}
        for f in self._meta.concrete_fields:
            if f.name in self.audit_exclude or f.attname not in self.__dict__:
                continue
            values[f.attname] = _plain(getattr(self, f.attname))
        return values


@functools.cache
def _loaded_shape(model) -> tuple[frozenset[str], frozenset[str]]:
    """The attnames ``audit_exclude`` leaves out, and those of file fields (a
    loaded value is the file's name, which ``_plain`` of the ``FieldFile`` gives)."""
    fields = model._meta.concrete_fields
    return (
        frozenset(f.attname for f in fields if f.name in model.audit_exclude),
        frozenset(f.attname for f in fields if isinstance(f, FileField)),
    )


def _auto_now_fields(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}


@receiver(post_save)
def _audit_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    new = instance._audit_values()
    if created:
        changes = new
        action = AuditAction.CREATE
    else:
        old = getattr(instance, "_audit_snapshot", {})
        # auto_now timestamps are the entry's own time: not a change to report.
        skip = _auto_now_fields(sender)
        changes = {
            k: [old.get(k), v] for k, v in new.items() if k in old and old[k] != v and k not in skip
        }
        if not changes:
            return
        action = AuditAction.UPDATE
    record(action, instance, changes=changes)
    instance._audit_snapshot = new


@receiver(post_delete)
def _audit_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        record(AuditAction.DELETE, instance, changes=instance._audit_values())


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, actor=user, request=request, object_repr=user.get_username())


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, request=request, object_repr=user.get_username())


LOGIN_FAILED_MESSAGE = register_message(
    "core.login_failed", gettext_lazy("Wrong user name or password, or the account is locked")
)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    if request is not None and hasattr(request, "_request"):
        request = request._request  # a DRF request
    entry_kwargs = {"object_repr": username, "key": LOGIN_FAILED_MESSAGE}
    if request is not None:
        record(AuditAction.LOGIN_FAILED, request=request, **entry_kwargs)
    else:
        record(AuditAction.LOGIN_FAILED, **entry_kwargs)
