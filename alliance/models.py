"""The alliance (联盟) of the six municipal centers: its council and rotating
chair, the secretariat's annual plan and report, meetings and forums, results
statistics, and what the members share (rooms, faculty, digital resources).

DOMAIN.md §2 and the charter (seeds/001) are the specification.
"""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import AuditedModel
from core.formats import format_datetime
from core.permissions import RestrictedQuerySet

# --- Database-level constraints that only PostgreSQL can state ---------------


class DateRange(models.Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only.

    SQLite has no exclusion constraints: there the same rule is a trigger
    created by the migration (``alliance.db``). Model validation does not run
    it either: the services check first and give a friendly message, and the
    database refuses whatever slips past them (a race, a raw ORM write)."""

    def _postgres(self, schema_editor):
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor) if self._postgres(schema_editor) else None
        )

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def validate(self, *args, **kwargs):
        return None


# --- Council ------------------------------------------------------------------


class CouncilMember(AuditedModel):
    """A member of the alliance council (理事会): one of the six municipal
    centers, with the representative it sends to the council and the liaison
    (联络员) it names. ``order`` is the member's place in the chair rotation."""

    center = models.OneToOneField(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="council_member",
        verbose_name=_("center"),
        limit_choices_to={"kind": "municipal"},
    )
    order = models.PositiveSmallIntegerField(
        _("rotation order"), help_text=_("The member's place in the chair rotation.")
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("council representative"),
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("liaison"),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                name="council_member_unique_order",
                violation_error_message=_("Another member already has this place in the rotation."),
            ),
        ]

    def __str__(self):
        return str(self.center)

    def get_absolute_url(self):
        return reverse("alliance:member-detail", args=[self.pk])


class ChairTerm(AuditedModel):
    """One year of the rotating chair (轮值主席): the chair's center holds the
    secretariat (秘书处) for the term, and nominates its secretary-general.
    Terms never overlap (a database constraint)."""

    sequence = models.PositiveSmallIntegerField(_("term number"), unique=True)
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="chair_terms",
        verbose_name=_("chair center"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    secretary_general = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secretary-general"),
        help_text=_("Nominated by the chair's center from its staff."),
    )
    handed_over_at = models.DateTimeField(
        _("secretariat handed over at"), null=True, blank=True, editable=False
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chair term")
        verbose_name_plural = _("chair terms")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="chair_term_ends_after_start",
            ),
            PostgresExclusionConstraint(
                name="chair_term_no_overlap",
                expressions=[
                    (DateRange("starts_on", "ends_on", models.Value("[]")), RangeOperators.OVERLAPS)
                ],
            ),
        ]

    def __str__(self):
        return f"{self.center} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("alliance:term-detail", args=[self.pk])

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on


# --- Annual work plan and report ----------------------------------------------


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Annual work plan")
    REPORT = "report", _("Annual work report")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Open for members' comments")
    APPROVED = "approved", _("Approved by the council")
    FILED = "filed", _("Filed with the bureau")
    RECEIVED = "received", _("Received by the bureau")


class WorkDocument(AuditedModel):
    """The alliance's annual work plan (年度工作计划) or annual work report
    (年度工作报告) for a year: drafted by the secretariat, commented on by the
    council members, approved by the council and filed with the bureau. The
    text is the latest version; ``DocumentVersion`` keeps every earlier one
    and ``DocumentStep`` every step of the workflow (``services``)."""

    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    approved_at_meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_documents",
        verbose_name=_("approved at meeting"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drafted by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual plan or report")
        verbose_name_plural = _("annual plans and reports")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"],
                name="work_document_one_per_year",
                violation_error_message=_(
                    "There is already a document of this kind for that year."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("alliance:document-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in (DocumentStatus.DRAFT, DocumentStatus.CONSULTATION)


class DocumentVersion(models.Model):
    """One saved text of a plan or report; never changed once written."""

    document = models.ForeignKey(
        WorkDocument, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def get_absolute_url(self):
        return reverse("alliance:version-detail", args=[self.document_id, self.number])


class DocumentStep(models.Model):
    """One step of a plan's or report's workflow: who moved it from which
    status to which, when, on which version, with what note."""

    document = models.ForeignKey(
        WorkDocument, on_delete=models.CASCADE, related_name="steps", verbose_name=_("document")
    )
    action = models.CharField(_("step"), max_length=30)
    from_status = models.CharField(
        _("from"), max_length=20, choices=DocumentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=DocumentStatus.choices)
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["document_id", "at", "id"]

    def __str__(self):
        return f"{self.document}: {self.action}"


class DocumentComment(AuditedModel):
    """A council member's comment on a plan or report under consultation."""

    document = models.ForeignKey(
        WorkDocument, on_delete=models.CASCADE, related_name="comments", verbose_name=_("document")
    )
    version = models.PositiveIntegerField(_("on version"))
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["document_id", "created_at", "id"]

    def __str__(self):
        return f"{self.center}: {self.body[:30]}"


# --- Meetings and forums ------------------------------------------------------


class MeetingKind(models.TextChoices):
    ANNUAL = "annual", _("Annual meeting")
    FORUM = "forum", _("Themed forum")
    COUNCIL = "council", _("Council meeting")


#: Kinds whose theme must be a problem common to all member centers (charter
#: art. 7: 活动主题需为6家市级教师发展中心面临的共性问题).
COMMON_THEME_KINDS = (MeetingKind.ANNUAL, MeetingKind.FORUM)


class Meeting(AuditedModel):
    """An annual meeting (年会), a themed forum (主题论坛) or a council meeting
    (理事会会议): theme, date, venue, agenda, participants and minutes. For
    annual meetings and forums the theme is recorded as a problem common to
    the member centers: every active member must be listed as sharing it."""

    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    common_problem = models.TextField(
        _("common problem"),
        blank=True,
        help_text=_("The problem all member centers face that the theme addresses."),
    )
    problem_shared_by = models.ManyToManyField(
        "centers.Center",
        blank=True,
        related_name="+",
        verbose_name=_("members sharing the problem"),
    )
    held_on = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=200)
    host_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host center"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    participant_centers = models.ManyToManyField(
        "centers.Center",
        blank=True,
        related_name="alliance_meetings",
        verbose_name=_("participating centers"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="alliance_meetings",
        verbose_name=_("participants"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting or forum")
        verbose_name_plural = _("meetings and forums")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("alliance:meeting-detail", args=[self.pk])


# --- Results statistics (成果统计) --------------------------------------------


class AchievementKind(models.TextChoices):
    RESEARCH_PROJECT = "research_project", _("Research project")
    PAPER = "paper", _("Paper")
    BOOK = "book", _("Book")
    AWARD = "award", _("Award")
    COURSE = "course", _("Course developed")
    TRAINING = "training", _("Training delivered")
    OTHER = "other", _("Other result")


class Achievement(AuditedModel):
    """A member's results of one kind in one year (成果统计): how many, and
    what they were. One row per member, year and kind; the roll-up for the
    annual report sums them (``services.results_rollup``)."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=AchievementKind.choices)
    count = models.PositiveIntegerField(_("count"))
    description = models.TextField(_("details"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result statistic")
        verbose_name_plural = _("results statistics")
        ordering = ["-year", "center_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "year", "kind"],
                name="achievement_one_per_kind_year",
                violation_error_message=_(
                    "This member has already reported this kind of result for that year: "
                    "edit that entry instead."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.center} {self.year} {self.get_kind_display()}: {self.count}"

    def get_absolute_url(self):
        return reverse("alliance:achievement-detail", args=[self.pk])


# --- Sharing ------------------------------------------------------------------


class Booking(AuditedModel):
    """A center's booking of a shared room, dormitory block or canteen of
    another (or its own) center for a time range. A room is never booked twice
    for overlapping times: PostgreSQL refuses it with an exclusion constraint,
    SQLite with a trigger; a cancelled booking frees its time."""

    room = models.ForeignKey(
        "centers.Room",
        on_delete=models.PROTECT,
        related_name="alliance_bookings",
        verbose_name=_("room / facility"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked for"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("people"), default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
        editable=False,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["room", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (
                        TsTzRange("starts_at", "ends_at", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=models.Q(cancelled_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.room} {format_datetime(self.starts_at)}"

    def get_absolute_url(self):
        return reverse("alliance:booking-detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


class SharedFaculty(AuditedModel):
    """A trainer listed in the faculty-sharing register (师资共享): other
    members may hire them. Only staff who meet the centers' standard can be
    listed (``services.list_faculty``)."""

    staff = models.ForeignKey(
        "centers.StaffMember",
        on_delete=models.PROTECT,
        related_name="shared_listings",
        verbose_name=_("staff member"),
    )
    expertise = models.CharField(_("expertise"), max_length=200)
    available_for = models.TextField(
        _("available for"), blank=True, help_text=_("Kinds of training, times, conditions.")
    )
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listed by"),
        editable=False,
    )
    listed_on = models.DateField(_("listed on"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared trainer")
        verbose_name_plural = _("faculty-sharing register")
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"],
                condition=models.Q(withdrawn_on__isnull=True),
                name="shared_faculty_one_open_listing",
            ),
        ]

    def __str__(self):
        return f"{self.staff} · {self.expertise}"

    def get_absolute_url(self):
        return reverse("alliance:faculty-detail", args=[self.pk])


class ResourceKind(models.TextChoices):
    COURSE = "course", _("Online course")
    VIDEO = "video", _("Video lessons")
    COURSEWARE = "courseware", _("Courseware")
    CASE = "case", _("Case library")
    TOOL = "tool", _("Tool or platform feature")


class DigitalResource(AuditedModel):
    """A digital course resource on the continuing-education platform (广州市
    中小学教师继续教育网, run by the 远程 center), with the year it was added
    and the year it was last renewed. At least 20 % of them must be added or
    renewed every five years (``services.renewal_rate``)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contributed by"),
    )
    subject = models.CharField(_("subject or topic"), max_length=100, blank=True)
    audience = models.CharField(_("target group"), max_length=100, blank=True)
    url = models.URLField(_("address on the platform"), blank=True)
    year_added = models.PositiveSmallIntegerField(_("year added"))
    year_renewed = models.PositiveSmallIntegerField(_("year last renewed"), null=True, blank=True)
    year_retired = models.PositiveSmallIntegerField(_("year retired"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("digital resource")
        verbose_name_plural = _("digital resources")
        ordering = ["-year_added", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_renewed__isnull=True)
                | models.Q(year_renewed__gte=models.F("year_added")),
                name="resource_renewed_after_added",
            ),
            models.CheckConstraint(
                condition=models.Q(year_retired__isnull=True)
                | models.Q(year_retired__gte=models.F("year_added")),
                name="resource_retired_after_added",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:resource-detail", args=[self.pk])

    def clean(self):
        """No year in the future; renewed and retired not before added (the
        check constraints, said first with a message)."""
        errors = {}
        added, renewed, retired = self.year_added, self.year_renewed, self.year_retired
        if added and added > timezone.localdate().year:
            errors["year_added"] = _("A resource cannot be added in a future year.")
        if added and renewed and renewed < added:
            errors["year_renewed"] = _("A resource is renewed after it was added.")
        if added and retired and retired < added:
            errors["year_retired"] = _("A resource is retired after it was added.")
        if errors:
            raise ValidationError(errors)


# --- Council resolutions and their follow-up (理事会决议) ---------------------


class Resolution(AuditedModel):
    """A resolution (理事会决议) the council adopted at one of its meetings
    (charter: 理事会……审议决定联盟重大事项). Its follow-up actions say which
    member center carries it out, by when, and whether it is done."""

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="resolutions",
        verbose_name=_("council meeting"),
        limit_choices_to={"kind": MeetingKind.COUNCIL},
    )
    number = models.CharField(
        _("resolution number"), max_length=30, help_text=_("For example 2026-1.")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("resolution text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("council resolution")
        verbose_name_plural = _("council resolutions")
        ordering = ["-meeting__held_on", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="resolution_unique_number",
                violation_error_message=_(
                    "This meeting already has a resolution with this number."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("alliance:resolution-detail", args=[self.pk])


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class FollowUp(AuditedModel):
    """A follow-up action of a council resolution (决议落实事项): the member
    center that owns it, the due date, its status and the owner's report.
    The secretariat assigns it; the owner center's staff report on it
    (``services.check_follow_up``). ``done_on`` is set when it is done."""

    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("resolution"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner center"),
    )
    action = models.TextField(pgettext_lazy("follow-up", "action"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    report = models.TextField(_("progress report"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(report=""),
                name="follow_up_done_has_report",
                violation_error_message=_("Say in the report what was done."),
            ),
        ]

    def __str__(self):
        return f"{self.resolution.number} · {self.center}"

    def get_absolute_url(self):
        return reverse("alliance:followup-detail", args=[self.pk])

    @property
    def is_overdue(self):
        return self.status != FollowUpStatus.DONE and self.due_on < timezone.localdate()


# --- Joint projects (联合项目) ----------------------------------------------------


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class JointProject(AuditedModel):
    """A major task or project (重大任务、项目) the council plans and the member
    centers carry out together (charter art. 7): one lead center (牵头单位),
    at least one partner center (参与单位), its dates, progress and, when
    completed, its outcome. It may carry out a council resolution."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead center"),
    )
    partner_centers = models.ManyToManyField(
        "centers.Center",
        related_name="+",
        verbose_name=_("partner centers"),
    )
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("council resolution"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    progress = models.TextField(_("progress"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="joint_project_ends_after_start",
                violation_error_message=_("A project ends on or after its start."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:project-detail", args=[self.pk])

    @property
    def partner_names(self):
        """The partner centers, for lists and pages (prefetch ``partner_centers``)."""
        return "、".join(str(c) for c in self.partner_centers.all())


# --- Paired assistance (结对帮扶) ----------------------------------------------------


class AssistancePair(AuditedModel):
    """A paired-assistance pair (对口帮扶 / 结对帮扶): a municipal member center
    helps a district center over a period, with a focus; what they do
    together is recorded year by year as ``AssistanceActivity`` rows."""

    helper_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("helping center"),
        limit_choices_to={"kind": "municipal"},
    )
    assisted_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assisted center"),
        limit_choices_to={"kind": "district"},
    )
    focus = models.TextField(_("focus of the assistance"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("paired-assistance pair")
        verbose_name_plural = _("paired assistance")
        ordering = ["helper_center_id", "assisted_center_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper_center", "assisted_center"],
                name="assistance_pair_unique",
                violation_error_message=_("These two centers are already paired."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assistance_pair_ends_after_start",
                violation_error_message=_("A pairing ends on or after its start."),
            ),
        ]

    def __str__(self):
        return f"{self.helper_center} → {self.assisted_center}"

    def get_absolute_url(self):
        return reverse("alliance:pair-detail", args=[self.pk])


class AssistanceKind(models.TextChoices):
    TEACHING = "teaching", _("Teaching visit")
    TRAINING = "training", _("Training")
    GUIDANCE = "guidance", _("Guidance")
    SHADOWING = "shadowing", _("Job shadowing")
    OTHER = "other", _("Other activity")


class AssistanceActivity(AuditedModel):
    """One activity of a paired-assistance pair (帮扶活动): a teaching visit
    (送教), training, guidance or job shadowing (跟岗研修) on a date within
    the pairing, with how many took part. The pair's page sums them per year."""

    pair = models.ForeignKey(
        AssistancePair,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("pair"),
    )
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=AssistanceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    summary = models.TextField(pgettext_lazy("assistance", "summary"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistance activity")
        verbose_name_plural = _("assistance activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("alliance:activity-detail", args=[self.pk])


# --- Proposals to the bureau (事业发展建议) ------------------------------------------


class ProposalOrigin(models.TextChoices):
    COUNCIL = "council", _("The alliance council")
    CENTER = "center", _("A member center")


class ProposalAddressee(models.TextChoices):
    BUREAU = "bureau", _("Municipal education bureau")
    EVALUATION_CENTER = (
        "evaluation_center",
        _("Municipal center for education evaluation and continuing-education guidance"),
    )


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the secretariat")
    FORWARDED = "forwarded", _("Forwarded to the bureau")
    ANSWERED = "answered", _("Answered")


class Proposal(AuditedModel):
    """A development proposal (事业发展建议) to the bureau.

    Charter 第七条: the council 向市教育局、市教育评估和教师继续教育指导中心提出事业发展建议
    (``origin = council``: drafted by the secretariat, adopted at a council
    meeting), and the 中小学, 中职, 幼儿园 and 民办 centers each 研究提出促进……
    教师专业发展的建议 (``origin = center``: drafted by that member center's
    staff). The secretariat, which 具体执行……理事会的各项决议 (第七条), forwards
    it or returns it; the addressee answers. Each state keeps its date
    (``services.PROPOSAL_STEPS``)."""

    origin = models.CharField(_("proposed by"), max_length=10, choices=ProposalOrigin.choices)
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafting center"),
        limit_choices_to={"kind": "municipal"},
    )
    addressee = models.CharField(
        _("addressed to"),
        max_length=20,
        choices=ProposalAddressee.choices,
        default=ProposalAddressee.BUREAU,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"))
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("adopted at council meeting"),
        limit_choices_to={"kind": "council"},
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    submitted_on = models.DateField(
        pgettext_lazy("proposal", "submitted on"), null=True, blank=True, editable=False
    )
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True, editable=False)
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    return_note = models.TextField(_("why it was returned"), blank=True, editable=False)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("development proposal")
        verbose_name_plural = _("development proposals")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="answered") | ~models.Q(answer=""),
                name="proposal_answered_has_answer",
                violation_error_message=_("An answered proposal keeps the answer."),
            ),
            models.CheckConstraint(
                condition=~models.Q(origin="council")
                | models.Q(status="draft")
                | models.Q(meeting__isnull=False),
                name="proposal_council_names_meeting",
                violation_error_message=_(
                    "A proposal in the council's name names the council meeting that adopted it."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:proposal-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status == ProposalStatus.DRAFT


# --- Guidance of district centers (业务指导) ------------------------------------------


class GuidanceKind(models.TextChoices):
    GUIDANCE = "guidance", _("Professional guidance")
    RESOURCES = "resources", _("Resource service")


class GuidanceFollowUp(models.TextChoices):
    NONE = "none", _("No follow-up asked")
    OPEN = "open", _("Follow-up open")
    DONE = "done", _("Follow-up done")


class GuidanceVisit(AuditedModel):
    """A guidance visit of a district center (区级教师发展中心) by a member
    center, with what it found and the follow-up asked of the district.

    Charter 第八条(五): 各成员单位……定期共同对区级教师发展中心提供业务指导和资源
    服务 (``kind``; ``partner_centers``: the members that came along); 第七条:
    each municipal center 负责指导各区教师发展中心实施…… its own kinds of
    training. The guiding center records the visit, its findings (发现的问题)
    and recommendations (指导意见) with a due date; the district center's
    staff report on the follow-up (``services.check_visit``)."""

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("guiding center"),
        limit_choices_to={"kind": "municipal"},
    )
    partner_centers = models.ManyToManyField(
        "centers.Center",
        related_name="+",
        blank=True,
        verbose_name=pgettext_lazy("guidance", "joined by"),
    )
    district_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district center visited"),
        limit_choices_to={"kind": "district"},
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=GuidanceKind.choices, default=GuidanceKind.GUIDANCE
    )
    visited_on = models.DateField(pgettext_lazy("guidance", "visited on"))
    topic = models.CharField(_("topic of the guidance"), max_length=200)
    findings = models.TextField(pgettext_lazy("guidance", "findings"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_status = models.CharField(
        _("follow-up"),
        max_length=6,
        choices=GuidanceFollowUp.choices,
        default=GuidanceFollowUp.NONE,
    )
    follow_up_report = models.TextField(_("follow-up report"), blank=True)
    follow_up_done_on = models.DateField(
        _("follow-up done on"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_due__isnull=True)
                | models.Q(follow_up_due__gte=models.F("visited_on")),
                name="guidance_follow_up_after_visit",
                violation_error_message=_("The follow-up is due after the visit."),
            ),
            models.CheckConstraint(
                condition=~models.Q(follow_up_status="done") | ~models.Q(follow_up_report=""),
                name="guidance_follow_up_done_has_report",
                violation_error_message=_("Say in the follow-up report what was done."),
            ),
        ]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.district_center} · {self.topic}"

    def get_absolute_url(self):
        return reverse("alliance:guidance-detail", args=[self.pk])

    @property
    def partner_names(self):
        """The members that came along (prefetch ``partner_centers``)."""
        return "、".join(str(c) for c in self.partner_centers.all())

    @property
    def is_overdue(self):
        return (
            self.follow_up_status == GuidanceFollowUp.OPEN
            and self.follow_up_due is not None
            and self.follow_up_due < timezone.localdate()
        )


# --- The centers' own plans (五年规划 / 年度计划) -------------------------------------


class CenterPlanKind(models.TextChoices):
    FIVE_YEAR = "five_year", _("Five-year research plan")
    ANNUAL = "annual", _("Annual implementation plan")


class CenterPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed with the alliance")
    APPROVED = "approved", _("Recorded by the secretariat")


class CenterPlan(AuditedModel):
    """A member center's own plan filed with the alliance.

    Charter 第七条 (研训中心): 制定教研、科研五年规划和年度实施计划; seed 000:
    各中心科学制定区域内教研、科研五年规划 and 各中心均制定了……专业发展规划和
    年度计划. A five-year plan spans five years, an annual plan one year within
    its center's five-year plan (``parent``). The center's staff draft and
    file it; the secretariat, which runs the alliance's day-to-day
    management (第七条: 按照联盟内部管理制度的要求负责联盟日常管理), records it
    or returns it. An approved annual plan gets its implementation report
    (``summary``); the sources name no 年度总结, so the page calls it
    执行情况 (``services.write_plan_summary``)."""

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("center"),
        limit_choices_to={"kind": "municipal"},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CenterPlanKind.choices)
    starts_year = models.PositiveSmallIntegerField(_("first year"))
    ends_year = models.PositiveSmallIntegerField(_("last year"), editable=False)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_plans",
        verbose_name=_("five-year plan"),
        limit_choices_to={"kind": "five_year"},
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CenterPlanStatus.choices,
        default=CenterPlanStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True, editable=False)
    approved_on = models.DateField(_("recorded on"), null=True, blank=True, editable=False)
    return_note = models.TextField(_("why it was returned"), blank=True, editable=False)
    summary = models.TextField(_("implementation report"), blank=True, editable=False)
    summary_on = models.DateField(
        _("implementation report on"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("center plan")
        verbose_name_plural = _("center plans")
        ordering = ["center_id", "-starts_year", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "starts_year"],
                name="center_plan_one_per_year",
                violation_error_message=_(
                    "This center already has a plan of this kind starting that year."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="five_year", ends_year=models.F("starts_year") + 4)
                    | models.Q(kind="annual", ends_year=models.F("starts_year"))
                ),
                name="center_plan_span",
                violation_error_message=_(
                    "A five-year plan spans five years; an annual plan one year."
                ),
            ),
        ]

    def __str__(self):
        years = (
            f"{self.starts_year}"
            if self.starts_year == self.ends_year
            else f"{self.starts_year}–{self.ends_year}"
        )
        return f"{self.center} {years} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("alliance:plan-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status == CenterPlanStatus.DRAFT

    def _set_span(self):
        # the span follows the kind: the form and the API give the first year only
        if self.starts_year and self.kind:
            self.ends_year = self.starts_year + (4 if self.kind == CenterPlanKind.FIVE_YEAR else 0)

    def clean(self):
        self._set_span()

    def save(self, *args, **kwargs):
        self._set_span()
        super().save(*args, **kwargs)


# --- Cross-center hiring of trainers (互聘) -------------------------------------------


class FacultyEngagement(AuditedModel):
    """A trainer of one member center engaged by another (互聘), with its dates.

    Charter 第八条(四): 各成员单位研训师资须符合市级教师发展中心认定标准,在此基础上,
    其专、兼职师资可以互聘互用. The trainer is listed in the faculty-sharing
    register (``SharedFaculty``) and meets the standard when engaged; the
    engaging center is another member center, whose staff record it
    (``services.check_engagement``). The register's history of a listed
    trainer; the record of the appointment itself (confirmation, term, early
    end) is ``centers.StaffAppointment`` (docs/centers.md, "Two records of 互聘")."""

    listing = models.ForeignKey(
        SharedFaculty,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("shared trainer"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("engaging center"),
        limit_choices_to={"kind": "municipal"},
    )
    purpose = models.CharField(_("engaged for"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross-center engagement")
        verbose_name_plural = _("cross-center engagements")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="faculty_engagement_ends_after_start",
                violation_error_message=_("An engagement ends on or after its start."),
            ),
        ]

    def __str__(self):
        return f"{self.listing.staff} → {self.center}"

    def get_absolute_url(self):
        return reverse("alliance:engagement-detail", args=[self.pk])


# --- Teacher-development schools (教师发展学校) ----------------------------------------


class TeacherDevelopmentSchool(AuditedModel):
    """A school in the building of teacher-development schools (教师发展学校建设).

    What the sources say, and all they say (001, the charter): 第七条, the
    中小学 center 负责指导各区教师发展中心实施……教师发展学校建设 (the district
    center carries the building out, ``district_center``); 第八条(五), 各成员单位
    ……承担区域内……教师发展学校建设的协调指导工作 (a member center coordinates
    and guides, ``guiding_center``). No seed names who designates such a
    school, how many there are, or for how long: ``designated_by`` records what
    the district says, and no count or term is enforced
    (``services.check_development_school``)."""

    school = models.ForeignKey(
        "centers.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    district_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district center building it"),
        limit_choices_to={"kind": "district"},
    )
    guiding_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("guiding member center"),
        limit_choices_to={"kind": "municipal"},
    )
    focus = models.CharField(_("focus of the building"), max_length=200)
    designated_by = models.CharField(
        _("designated by (as recorded)"),
        max_length=100,
        blank=True,
        help_text=_("The sources name no designating body; record the one the district names."),
    )
    since = models.DateField(_("in the building since"))
    progress = models.TextField(_("progress of the building"), blank=True)
    ended_on = models.DateField(_("left the building on"), null=True, blank=True)
    end_reason = models.TextField(_("why it left"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher-development school")
        verbose_name_plural = _("teacher-development schools")
        ordering = ["district_center__code", "-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(ended_on__isnull=True),
                name="tds_one_current_per_school",
                violation_error_message=_("This school is already a teacher-development school."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("since")),
                name="tds_ends_after_start",
                violation_error_message=_("A school leaves the building after it joined it."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | ~models.Q(end_reason=""),
                name="tds_end_has_reason",
                violation_error_message=_("Say why the school left the building."),
            ),
        ]

    def __str__(self):
        return f"{self.school} · {self.focus}"

    def get_absolute_url(self):
        return reverse("alliance:devschool-detail", args=[self.pk])

    @property
    def is_current(self):
        return self.ended_on is None
