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
from django.utils.translation import pgettext_lazy

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
    # A message written as a key and its parameters (``core.audit.MESSAGES``)
    # reads in the reader's language; ``message`` stays for older entries.
    message_key = models.CharField(_("message key"), max_length=80, blank=True, default="")
    message_params = models.JSONField(_("message parameters"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        from .formats import format_datetime

        return f"{format_datetime(self.at)} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")

    @property
    def message_text(self) -> str:
        """The message in the language in use: its registered text with its
        parameters, or the stored words of an entry written before keys."""
        from .audit import render_message

        if self.message_key:
            return render_message(self.message_key, self.message_params or {}, self.message)
        return self.message

    @property
    def object_type_display(self) -> str:
        """``credits.creditentry`` → 学时记录 (the model's name in the language in use)."""
        model = _model_for(self.object_type)
        return str(model._meta.verbose_name) if model else self.object_type

    def _user_ids(self) -> set:
        """The user ids the changes name: values of fields pointing at a user
        and of the registered people entries (``audit.PEOPLE_CHANGES``)."""
        from .audit import PEOPLE_CHANGES

        fields = self._user_fields()
        found = set()
        for name, value in (self.changes or {}).items():
            if name not in fields and name not in PEOPLE_CHANGES:
                continue
            values = value if isinstance(value, list) else [value]
            for item in values:
                found.update(item if isinstance(item, list) else [item])
        return {v for v in found if isinstance(v, int)}

    def _user_fields(self) -> set[str]:
        model = _model_for(self.object_type)
        if model is None:
            return set()
        user_model = type(self)._meta.get_field("actor").related_model
        return {
            f.attname
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is user_model
        }

    @classmethod
    def attach_people(cls, entries) -> None:
        """Resolve, for a page of entries at once, the people their changes
        name (two queries), so ``change_lines`` shows names, not ids."""
        from .audit import people_names

        entries = list(entries)
        ids = set().union(*(e._user_ids() for e in entries)) if entries else set()
        names = people_names(ids) if ids else {}
        for entry in entries:
            entry._people = names

    def change_lines(self) -> list[tuple[str, str]]:
        """The changes as (field name, "old → new" or value), in words; user
        ids as the person's name and roles."""
        from .audit import PEOPLE_CHANGES, people_names
        from .formats import display

        model = _model_for(self.object_type)
        fields = {f.attname: f for f in model._meta.concrete_fields} if model else {}
        people = getattr(self, "_people", None)
        if people is None:
            people = people_names(self._user_ids())
        user_fields = self._user_fields()

        def person(value):
            if isinstance(value, list):
                return "、".join(person(v) for v in value) or "—"
            return people.get(value, display(value)) if isinstance(value, int) else display(value)

        def word(field, value, name=""):
            if name in user_fields or name in PEOPLE_CHANGES:
                return person(value)
            if field is not None and field.choices and value is not None:
                return str(dict(field.flatchoices).get(value, value))
            return display(value)

        lines = []
        for name, value in (self.changes or {}).items():
            field = fields.get(name)
            if field is not None:
                label = str(field.verbose_name)
            else:
                from .audit import CHANGE_LABELS

                label = str(CHANGE_LABELS.get(name, name))
            pair = isinstance(value, list) and len(value) == 2 and name not in PEOPLE_CHANGES
            if self.action == AuditAction.UPDATE and pair:
                text = f"{word(field, value[0], name)} → {word(field, value[1], name)}"
            else:
                text = word(field, value, name)
            lines.append((label, text))
        return lines


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def export_upload_to(job, filename):
    """One folder per job, named by the job and a keyed digest of it (128 bits
    from SECRET_KEY): no name can be guessed from the export and the minute it
    ran, and a run that starts again after its worker died finds (and removes)
    what the dead run left, so a job never has two files. Files are served only
    by ``core.views.export_download``, to their owner, never from /media/."""
    from django.utils.crypto import salted_hmac

    created = job.created_at or timezone.now()
    digest = salted_hmac("core.export_upload_to", str(job.pk)).hexdigest()[:32]
    return f"exports/{created:%Y/%m}/{job.pk}-{digest}/{filename}"


class ExportJob(models.Model):
    """One requested Excel export: who asked for what, its progress, its file.

    ``attempts`` counts the runs that started; ``heartbeat_at`` is set at the
    start and with every progress report, so the sweep (``core.exports.
    sweep_stalled``) sees a run whose worker died."""

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
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
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


def _model_for(label):
    from django.apps import apps

    try:
        return apps.get_model(label) if label and "." in label else None
    except LookupError:
        return None


class NotificationQuerySet(RestrictedQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in the portal for one person (站内通知): "your claim was
    approved", "you have a seat". Stored as a verb key and its parameters
    (``core.notifications``) so it reads in the recipient's language when
    shown; ``url`` leads to the record it is about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    verb = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="core_notification_unread"),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        from .notifications import render

        return render(self.verb, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Announcement(models.Model):
    """A notice (通知公告) published by the bureau or a center's staff to a
    role (every teacher, every school admin…) or to everyone, shown on their
    home page until ``until``."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    audience = models.CharField(
        _("audience"),
        max_length=30,
        blank=True,
        choices=role_choices,
        help_text=_("Leave empty to address everyone."),
    )
    until = models.DateField(_("shown until"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
        editable=False,
    )
    author_org = models.CharField(_("publisher"), max_length=200, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, editable=False)
    # The membership it was published under: the bureau's, or one center's
    # staff (whose colleagues may then edit or withdraw it).
    publisher_role = models.CharField(
        _("publishing role"), max_length=32, blank=True, choices=role_choices, editable=False
    )
    publisher_org_id = models.PositiveBigIntegerField(
        _("publishing organisation"), null=True, blank=True, editable=False
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(
        pgettext_lazy("announcement", "withdrawn at"), null=True, blank=True, editable=False
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
        editable=False,
    )
    withdraw_reason = models.CharField(
        _("reason for withdrawal"), max_length=200, blank=True, editable=False
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("announcement-detail", args=[self.pk])

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
