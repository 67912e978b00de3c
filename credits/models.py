"""Learning-hour credits (学时学分): the policy a teacher must meet, the
append-only ledger of hours earned, claims waiting for approval, issued
transcripts and reminders to teachers at risk of missing the cycle.

Ledger guarantees (docs/credits.md):

* entries are never changed or deleted (the model refuses, the queryset
  refuses, and a database trigger refuses as well); a correction is a
  reversing entry with the negated hours, pointing at what it reverses, and
  ``reverses`` is unique, so a second reversal is refused by the database;
* an activity the portal knows (``training.subproject:123``) counts once per
  teacher: ``CreditActivity`` holds, per (teacher, activity), the entry that
  currently counts and a generation number; award and reversal lock that row.
  The ledger itself carries a unique (teacher, activity, generation) for
  awards, so even a writer that skipped the lock cannot count it twice;
* synced entries carry the district system's id under a unique
  (district, external id).
"""

from __future__ import annotations

import functools
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Center, District, IdempotentBatch, School, Teacher
from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

from .validators import validate_evidence_file

HOURS = {"max_digits": 7, "decimal_places": 1}


def choice_label(choices, value) -> str:
    """What ``get_FOO_display`` answers, for one value of a ``TextChoices``:
    Django's builds a dict of every choice on each call, translating every
    label to hash it (60 calls, ~500 translations a history page); the enum
    finds the one and translates it alone, from a dict of the lazy labels
    built once per class (an enum's members are fixed at import; the lazy
    label is translated on ``str``, in the request's language)."""
    label = _lazy_labels(choices).get(value)
    return value if label is None else str(label)


@functools.cache
def _lazy_labels(choices) -> dict:
    return {member.value: member.label for member in choices}


class Category(models.TextChoices):
    """What the hours were for; a policy may require a minimum of some."""

    ETHICS = "ethics", _("Professional ethics")
    SUBJECT = "subject", _("Subject knowledge and teaching")
    IT = "it", _("Information technology")
    SCHOOL_BASED = "school_based", _("School-based training")
    WELLBEING = "wellbeing", _("Mental health and wellbeing")
    GENERAL = "general", _("General")


class Source(models.TextChoices):
    """Where the hours were reported from."""

    TRAINING = "training", _("Training sub-project")
    STUDIO = "studio", _("Studio work")
    SCHOOL_BASED = "school_based", _("School-based training")
    ONLINE = "online", _("Online course")
    CLAIM = "claim", _("Approved claim")
    EXTERNAL = "external", _("External platform")
    MANUAL = "manual", _("Manual registration")


#: The values alone (the API schema's enum, config/settings.py ENUM_NAME_OVERRIDES).
SOURCE_VALUES = [value for value, _label in Source.choices]


class OrgKind(models.TextChoices):
    SCHOOL = "school", _("School")
    DISTRICT = "district", _("District")
    CENTER = "center", _("Center")
    SYSTEM = "system", _("District system")
    PORTAL = "portal", _("Portal")


class CreditPolicyQuerySet(RestrictedQuerySet):
    def covering(self, on):
        return self.filter(is_active=True, cycle_start__lte=on, cycle_end__gte=on)


class CreditPolicy(AuditedModel):
    """The hours a teacher must earn in a cycle (e.g. 360 hours from
    2022-01-01 to 2026-12-31), with optional minimums per category. A policy
    without a district is the city's; one with a district overrides it there,
    so a district or a new cycle needs data, not code."""

    name = models.CharField(_("name"), max_length=100)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_policies",
        verbose_name=_("district"),
        help_text=_("Leave empty for the city-wide policy."),
    )
    cycle_start = models.DateField(_("cycle starts on"))
    cycle_end = models.DateField(_("cycle ends on"))
    total_hours = models.DecimalField(
        _("total hours"), default=Decimal("360"), validators=[MinValueValidator(1)], **HOURS
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CreditPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")
        ordering = ["-cycle_start", "district_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cycle_end__gt=models.F("cycle_start")),
                name="credit_policy_cycle_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["district", "cycle_start"], name="credit_policy_one_per_district_cycle"
            ),
            models.UniqueConstraint(
                fields=["cycle_start"],
                condition=Q(district__isnull=True),
                name="credit_policy_one_city_policy_per_cycle",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def cycle_days(self) -> int:
        return (self.cycle_end - self.cycle_start).days + 1

    def elapsed_days(self, on=None) -> int:
        on = on or timezone.localdate()
        return max(0, min(self.cycle_days, (on - self.cycle_start).days + 1))


class CategoryMinimum(AuditedModel):
    """A policy's minimum hours in one category (e.g. 36 hours of ethics)."""

    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.CASCADE, related_name="minimums", verbose_name=_("policy")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    hours = models.DecimalField(_("minimum hours"), validators=[MinValueValidator(0)], **HOURS)

    class Meta:
        verbose_name = _("category minimum")
        verbose_name_plural = _("category minimums")
        ordering = ["policy_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "category"], name="credit_minimum_one_per_category"
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} ≥ {self.hours}"


class EntryStatus(models.TextChoices):
    # Every ledger entry is posted; hours waiting for approval are claims.
    POSTED = "posted", _("Posted")


class CreditEntryQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise TypeError("The credit ledger is append-only: post a reversing entry instead.")

    def delete(self):
        raise TypeError("The credit ledger is append-only: post a reversing entry instead.")

    def in_cycle(self, policy):
        return self.filter(earned_on__gte=policy.cycle_start, earned_on__lte=policy.cycle_end)


class CreditEntry(models.Model):
    """One line of a teacher's hours ledger (学时记录): hours earned from a
    source, in a category, on a date, registered by someone for an
    organisation. Never changed or deleted: a correction is a reversing entry
    (negative hours) that points at the entry it reverses.

    Not an ``AuditedModel``: the ledger is its own audit trail (who, when,
    which organisation), and batch syncs record one audit summary."""

    # Indexed through the composite indexes below (one index less to write per
    # entry on a sync of a thousand).
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="credit_entries",
        verbose_name=_("teacher"),
        db_index=False,
    )
    # The teacher's district when posted: the scope of district syncs and of
    # their external ids.
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    hours = models.DecimalField(_("hours"), **HOURS)
    earned_on = models.DateField(_("earned on"))
    title = models.CharField(
        pgettext_lazy("credit activity", "activity"), max_length=200, blank=True
    )
    evidence = models.CharField(
        _("evidence"), max_length=300, blank=True, help_text=_("A reference to the evidence.")
    )
    activity_key = models.CharField(
        _("activity key"),
        max_length=100,
        blank=True,
        help_text=_('An activity the portal knows, e.g. "training.subproject:123".'),
    )
    generation = models.PositiveIntegerField(_("generation"), default=0, editable=False)
    external_id = models.CharField(_("district system id"), max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EntryStatus.choices,
        default=EntryStatus.POSTED,
        editable=False,
    )
    # Not indexed: no page, filter or export reads entries by who registered
    # them; only deleting a user does (Django's PROTECT check and
    # PostgreSQL's), an administrator's rare act that scans the ledger instead
    # (docs/benchmarks.md, "The ledger's indexes"). Every entry wrote the index.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
        db_index=False,
    )
    org_kind = models.CharField(
        _("registering organisation kind"), max_length=10, choices=OrgKind.choices
    )
    org_name = models.CharField(_("registering organisation"), max_length=100, blank=True)
    # Equal: entries never change. ``updated_at`` serves ``updated_since``.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["-earned_on", "-id"]
        # Each index is written by every entry; each is here for the queries
        # docs/benchmarks.md "The ledger's indexes" lists with their plans
        # (``python -m bench.ledger_indexes``).
        indexes = [
            # A teacher's history and transcript, ``?teacher=``, the balance
            # rebuild (index only), the teacher FK's PROTECT check.
            models.Index(
                fields=["teacher", "earned_on", "category", "hours"], name="credit_entry_teacher"
            ),
            # ``?district=`` (with ``updated_since``), the district FK's check.
            models.Index(fields=["district", "updated_at"], name="credit_entry_district_upd"),
            # The change feed ``?updated_since=``: a district system's is scoped
            # by the teachers' district (a join), which (district, updated_at)
            # cannot serve.
            models.Index(fields=["updated_at"], name="credit_entry_updated"),
            # The ledger page's order (``-earned_on, -id``, the model's): a
            # district's, a center's or the bureau's first pages walk it
            # backwards and stop at the page, instead of sorting the whole
            # scope (a district's scope is the *teachers'* district, a join).
            models.Index(fields=["earned_on", "id"], name="credit_entry_earned"),
            # A studio's hours (``studios.services.studio_hours`` and
            # ``hours_by_teacher``): entries by their activity keys alone, with
            # no teacher to start the unique index below. Partial: only keyed
            # entries write it.
            models.Index(
                fields=["activity_key"],
                condition=~Q(activity_key=""),
                name="credit_entry_activity",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "external_id"],
                condition=~Q(external_id=""),
                name="credit_entry_external_id_per_district",
            ),
            models.UniqueConstraint(
                fields=["teacher", "activity_key", "generation"],
                condition=~Q(activity_key="") & Q(reverses__isnull=True),
                name="credit_entry_activity_counts_once",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, hours__gt=0)
                | Q(reverses__isnull=False, hours__lt=0),
                name="credit_entry_award_positive_reversal_negative",
            ),
        ]

    def __str__(self):
        return f"{self.teacher} {self.hours:+} ({self.earned_on})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The credit ledger is append-only: post a reversing entry instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("credits:entry-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise TypeError("The credit ledger is append-only: post a reversing entry instead.")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    # The history table shows three labels per entry: one enum look-up each
    # (``choice_label``), not Django's dict of every translated choice per call.
    def get_category_display(self):
        return choice_label(Category, self.category)

    def get_source_display(self):
        return choice_label(Source, self.source)

    def get_org_kind_display(self):
        return choice_label(OrgKind, self.org_kind)


class CreditActivity(models.Model):
    """Per teacher and known activity, the entry that currently counts.

    ``award_hours`` locks this row (``select_for_update``) before posting, so
    whichever source reports the activity first posts it and the others get
    that entry back; a reversal clears ``entry`` and the activity may be
    awarded again with the next ``generation``."""

    # Indexed by the unique (teacher, key) below, whose first column serves
    # every look-up by teacher (the PROTECT checks when a teacher goes):
    # one index less to write for every new activity (migration 0014).
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("teacher"),
        db_index=False,
    )
    key = models.CharField(_("activity key"), max_length=100)
    entry = models.OneToOneField(
        CreditEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counting entry"),
    )
    generation = models.PositiveIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("credited activity")
        verbose_name_plural = _("credited activities")
        constraints = [
            models.UniqueConstraint(fields=["teacher", "key"], name="credit_activity_per_teacher")
        ]

    def __str__(self):
        return f"{self.teacher_id}:{self.key}"


def category_hours_field(category: str) -> str:
    """The ``CreditBalance`` column holding a category's hours."""
    return f"hours_{category}"


def _category_hours(label):
    return models.DecimalField(
        label, max_digits=9, decimal_places=1, default=Decimal("0"), db_default=Decimal("0")
    )


class CreditBalance(models.Model):
    """Per teacher and policy, the hours earned in the policy's cycle, in all
    and by category (one column per ``Category``): kept in step with the
    ledger in the same transaction as every entry (award, reversal, batch:
    one upsert, ``bulk.add_to_balances``), so completion over a whole city
    reads 30,000 rows, not 1,500,000, and the category minimums of the one
    definition of complete read the same row (``annotate_progress`` joins it
    once per teacher). It is derived data: ``services.rebuild_balances(policy)``
    recomputes it from the ledger (and runs when a policy's cycle changes),
    and the tests check it always equals the sums of the entries."""

    # Indexed by the unique (policy, teacher) below, which serves every
    # look-up by policy: one index less to write on every balance update.
    policy = models.ForeignKey(
        CreditPolicy,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("policy"),
        db_index=False,
    )
    # ``credit_balances``: the reverse name ``annotate_progress`` joins by
    # (a FilteredRelation per policy).
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.CASCADE,
        related_name="credit_balances",
        verbose_name=_("teacher"),
        db_index=False,
    )
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=1, default=Decimal("0"))
    # The same hours by category (``category_hours_field``); their sum is ``hours``.
    hours_ethics = _category_hours(Category.ETHICS.label)
    hours_subject = _category_hours(Category.SUBJECT.label)
    hours_it = _category_hours(Category.IT.label)
    hours_school_based = _category_hours(Category.SCHOOL_BASED.label)
    hours_wellbeing = _category_hours(Category.WELLBEING.label)
    hours_general = _category_hours(Category.GENERAL.label)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit balance")
        verbose_name_plural = _("credit balances")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "teacher"], name="credit_balance_per_policy_teacher"
            )
        ]

    def __str__(self):
        return f"{self.teacher_id}@{self.policy_id}: {self.hours}"

    def category_hours(self) -> dict[str, Decimal]:
        return {c: getattr(self, category_hours_field(c)) for c in Category.values}


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the school")
    SCHOOL_APPROVED = "school_approved", _("Waiting for the district")
    APPROVED = "approved", _("Approved and posted")
    REJECTED = "rejected", _("Rejected")


class CreditClaimQuerySet(RestrictedQuerySet):
    def pending(self):
        return self.filter(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.SCHOOL_APPROVED])


class CreditClaim(AuditedModel):
    """A request to register hours (学分登记) with evidence: submitted by the
    teacher (or by the school admin for school-based training), approved by
    the school admin, then by the district (or the responsible center); the
    final approval posts the ledger entry."""

    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="credit_claims", verbose_name=_("teacher")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    responsible_center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible center"),
        help_text=_("Leave empty when the district approves."),
    )
    title = models.CharField(pgettext_lazy("credit activity", "activity"), max_length=200)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.CLAIM
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    hours = models.DecimalField(_("hours"), validators=[MinValueValidator(Decimal("0.5"))], **HOURS)
    earned_on = models.DateField(_("earned on"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ClaimStatus.choices,
        default=ClaimStatus.SUBMITTED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    school_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school reviewer"),
    )
    school_reviewed_at = models.DateTimeField(_("school reviewed at"), null=True, blank=True)
    final_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("final reviewer"),
    )
    final_reviewed_at = models.DateTimeField(_("final reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    entry = models.OneToOneField(
        CreditEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim",
        verbose_name=_("ledger entry"),
    )
    created_at = models.DateTimeField(pgettext_lazy("claim", "submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = CreditClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit claim")
        verbose_name_plural = _("credit claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["teacher", "status"], name="credit_claim_teacher")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(entry__isnull=False),
                name="credit_claim_approved_has_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="credit_claim_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.teacher} · {self.title}"

    def get_absolute_url(self):
        return reverse("credits:claim-detail", args=[self.pk])

    @property
    def is_pending(self):
        return self.status in (ClaimStatus.SUBMITTED, ClaimStatus.SCHOOL_APPROVED)

    def get_status_display(self):
        return choice_label(ClaimStatus, self.status)

    def get_category_display(self):
        return choice_label(Category, self.category)

    def get_source_display(self):
        """A claim not yet approved is no "approved claim": its own word for it."""
        if self.source == Source.CLAIM:
            return _("Teacher's claim")
        return self._get_FIELD_display(self._meta.get_field("source"))

    @property
    def activity_key(self):
        return f"credits.claim:{self.pk}"


def evidence_path(instance, filename):
    """A random directory per file (128 bits): names cannot be guessed. Files
    are served only by ``credits.views.claim_evidence``, never from /media/."""
    return f"credits/evidence/{instance.claim_id}/{secrets.token_urlsafe(16)}/{filename}"


class ClaimEvidence(models.Model):
    """A file that supports a claim (certificate, attendance sheet)."""

    claim = models.ForeignKey(
        CreditClaim, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("claim")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, validators=[validate_evidence_file])
    name = models.CharField(_("name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["claim_id", "id"]

    def __str__(self):
        return self.name


def new_transcript_code() -> str:
    # 16 characters from an alphabet without look-alikes: 80 bits, unguessable.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class Transcript(models.Model):
    """An issued transcript (学时证明): a frozen copy of a teacher's totals
    for a cycle with a random verification code anyone can check on the
    public verification page."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="transcripts", verbose_name=_("teacher")
    )
    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy")
    )
    teacher_name = models.CharField(_("teacher name"), max_length=50)
    school_name = models.CharField(_("school"), max_length=100)
    cycle_start = models.DateField(_("cycle starts on"))
    cycle_end = models.DateField(_("cycle ends on"))
    required_hours = models.DecimalField(_("required hours"), **HOURS)
    total_hours = models.DecimalField(_("total hours"), **HOURS)
    by_category = models.JSONField(_("hours by category"), default=dict)
    entry_count = models.PositiveIntegerField(_("entries"))
    last_entry_id = models.BigIntegerField(_("last entry"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["teacher", "-issued_at"], name="credit_transcript_teacher")]

    def __str__(self):
        return f"{self.teacher_name} {self.code}"

    def get_absolute_url(self):
        return reverse("credits:transcript", args=[self.code])

    @property
    def masked_name(self) -> str:
        return mask_name(self.teacher_name)

    @property
    def complete(self) -> bool:
        return self.total_hours >= self.required_hours


def mask_name(name: str) -> str:
    """李*明 for 李晓明, 王* for 王伟: enough to recognise, not to identify."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class ReminderKind(models.TextChoices):
    TEACHER_AT_RISK = "teacher_at_risk", _("You are behind on your hours")
    SCHOOL_AT_RISK = "school_at_risk", _("Teachers of your school are behind")


class Reminder(models.Model):
    """A notice on someone's home page: a teacher behind their pace, or a
    school admin whose teachers are. One per person, kind and period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="credit_reminders",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    period = models.CharField(_("period"), max_length=10, help_text=_("e.g. 2026-11"))
    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.CASCADE, related_name="+", verbose_name=_("policy")
    )
    # The figures, so the message is written in the reader's language.
    data = models.JSONField(_("figures"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="credit_reminder_once_per_period"
            )
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        from django.utils.translation import gettext

        from core.formats import format_number

        if self.kind == ReminderKind.SCHOOL_AT_RISK:
            return gettext("%(n)s teachers of your school are behind their hours this cycle.") % {
                "n": self.data.get("count", 0)
            }
        return gettext(
            "You have %(hours)s of %(required)s hours this cycle (ends %(end)s); "
            "at your pace you would not finish in time."
        ) % {
            "hours": format_number(self.data.get("hours", "")),
            "required": format_number(self.data.get("required", "")),
            "end": self.data.get("cycle_end", ""),
        }


class SyncRequest(IdempotentBatch):
    """A district system's batch request under an ``Idempotency-Key``: the
    hash of its body and the answer it got, so a resend gets the same answer
    (the same bytes) and writes nothing."""

    class Meta:
        verbose_name = _("sync request")
        verbose_name_plural = _("sync requests")
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="credit_sync_key_per_district")
        ]

    def __str__(self):
        return f"{self.district_id}:{self.key}"


class CompletionStanding(models.Model):
    """Per school, the completion figures of the day (teachers, complete, at
    risk, hours: what ``services.completion`` computes, by the one definition),
    so the dashboards read a few hundred rows instead of aggregating every
    teacher's balance on a page request. Derived data, refreshed by
    ``services.refresh_standings``: after each commit that writes the ledger
    or a balance (the districts it touched, or a small batch's schools), a
    teacher, a policy or a minimum
    (the city), and daily by beat (at risk depends on the date). A row of an
    earlier day is stale: the readers then compute the figures from the
    balances instead (``services.standing_completion``)."""

    school = models.OneToOneField(
        "centers.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    district = models.ForeignKey(
        "centers.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("district")
    )
    on = models.DateField(_("as of"))
    teachers = models.PositiveIntegerField(_("teachers"), default=0)
    complete = models.PositiveIntegerField(_("complete"), default=0)
    at_risk = models.PositiveIntegerField(_("at risk"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=12, decimal_places=1, default=Decimal("0"))
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)

    class Meta:
        verbose_name = _("completion standing")
        verbose_name_plural = _("completion standings")

    def __str__(self):
        return f"{self.school_id} @ {self.on}: {self.complete}/{self.teachers}"
