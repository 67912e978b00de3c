"""What every app shares: people and their memberships, API tokens, the audit
log and export jobs."""

import hashlib
import secrets
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .permissions import RestrictedManager, RestrictedQuerySet
from .roles import role_choices, roles


class User(AbstractUser):
    """A person who signs in to the portal, or a district system's account."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.get_full_name() or self.username


class MembershipQuerySet(RestrictedQuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on)
        )


class Membership(models.Model):
    """A user's role in one organisation of the federation.

    The role names the kind of organisation (``core.roles.roles``, registered by the apps): a center
    for center staff, a district for district staff, a school for a school
    admin, the teacher record for a teacher; the bureau's role holds
    everywhere and points at nothing. Scopes on every list come from here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=role_choices)
    organisation_id = models.PositiveBigIntegerField(_("organisation"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "role"]
        indexes = [models.Index(fields=["role", "organisation_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        org = self.organisation
        return f"{self.user} · {self.get_role_display()}" + (f" · {org}" if org else "")

    @property
    def organisation_model(self):
        label = roles.organisation(self.role)
        return apps.get_model(label) if label else None

    @property
    def organisation(self):
        model = self.organisation_model
        if model is None or self.organisation_id is None:
            return None
        return model._default_manager.filter(pk=self.organisation_id).first()

    def clean(self):
        model = self.organisation_model
        if model is None and self.organisation_id is not None:
            raise ValidationError({"organisation_id": _("This role belongs to no organisation.")})
        if model is not None:
            if self.organisation_id is None:
                raise ValidationError({"organisation_id": _("This role needs an organisation.")})
            if not model._default_manager.filter(pk=self.organisation_id).exists():
                raise ValidationError({"organisation_id": _("No such organisation.")})


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiTokenQuerySet(RestrictedQuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A district system's key to the REST API.

    Only a hash of the key is stored; the key is shown once, when issued. A
    token acts with exactly one membership (a district system's district), so
    everything it reads or writes stays inside that district.
    """

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("membership"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, membership, name, days=None):
        """Create a token; returns (token, raw_key). The raw key is never stored."""
        raw_key = "gz_" + secrets.token_urlsafe(32)
        days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
        token = cls.objects.create(
            membership=membership,
            name=name,
            prefix=raw_key[:10],
            key_hash=_hash_key(raw_key),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        return token, raw_key

    @classmethod
    def find(cls, raw_key):
        return (
            cls.objects.usable()
            .select_related("membership__user")
            .filter(key_hash=_hash_key(raw_key))
            .first()
        )

    @property
    def is_usable(self):
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Log-in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log-out")
    DENIED = "denied", _("Access denied")
    EXPORT = "export", _("Export")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Delete")
    SENSITIVE_VIEW = "sensitive_view", _("Sensitive data shown")
    HANDOVER = "handover", _("Handover")
    SYNC = "sync", _("Sync")
    OTHER = "other", _("Other")


class AuditEntryQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only; see purge_before().")

    def purge_before(self, cutoff) -> int:
        """The retention task's one way to remove entries (older than cutoff)."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEntry(models.Model):
    """One thing that happened: who did what to which record, when, from where.

    Append-only: entries are never changed, and removed only by the retention
    task once older than ``AUDIT_RETENTION_DAYS`` (at least 180 days). On
    PostgreSQL a trigger refuses updates and early deletes as well.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(
        _("action"), max_length=20, choices=AuditAction.choices, db_index=True
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One requested Excel export: who asked for what, its progress, its file."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("owner"),
    )
    exporter = models.CharField(_("export"), max_length=100)
    options = models.JSONField(_("options"), default=dict, blank=True)
    #: the language the file is written in: the one the owner used to start it
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.exporter} #{self.pk}"

    @property
    def exporter_class(self):
        from .exports import registry

        return registry.get(self.exporter)

    @property
    def title(self):
        cls = self.exporter_class
        return cls.name if cls else self.exporter

    @property
    def is_finished(self):
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
