"""Organisations and people of the federation: districts, centers, schools,
teachers and contracted vendors."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

from .validators import mask_id_number, normalise_id_number, validate_id_number


class District(AuditedModel):
    """One of Guangzhou's eleven districts (区), home of schools and of a
    district teacher-development center."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class CenterKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal center")
    DISTRICT = "district", _("District center")


class Center(AuditedModel):
    """A teacher-development center (教师发展中心): one of the six municipal
    centers of the alliance, or a district center."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CenterKind.choices)
    district = models.OneToOneField(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="center",
        verbose_name=_("district"),
    )
    host_institution = models.CharField(_("host institution"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="district", district__isnull=False)
                    | models.Q(kind="municipal", district__isnull=True)
                ),
                name="center_district_matches_kind",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:center-detail", args=[self.pk])


class SchoolStage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    NINE_YEAR = "nine_year", _("Nine-year school")
    VOCATIONAL = "vocational", _("Vocational school")
    SPECIAL = "special", _("Special education")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class School(AuditedModel):
    """A school (学校) in a district, by stage and ownership."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    external_id = models.CharField(
        _("district system id"),
        max_length=64,
        blank=True,
        help_text=_("The school's id in the district's own system."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["district__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_name_per_district"),
            models.UniqueConstraint(
                fields=["district", "external_id"],
                condition=~models.Q(external_id=""),
                name="school_external_id_per_district",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:school-detail", args=[self.pk])


class TeacherRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    PRINCIPAL = "principal", _("Principal")
    KINDERGARTEN_DIRECTOR = "kg_director", _("Kindergarten director")


class CareerStage(models.TextChoices):
    """The growth ladders of DOMAIN.md: teachers, then principals."""

    NEW = "new", _("Newly hired")
    ADAPTING = "adapting", _("Adapting")
    QUALIFIED = "qualified", _("Qualified")
    KEY = "key", _("Key teacher")
    EXPERT = "expert", _("Expert teacher")
    PRINCIPAL_RESERVE = "principal_reserve", _("Reserve principal")
    PRINCIPAL_NEW = "principal_new", _("Newly appointed principal")
    PRINCIPAL_KEY = "principal_key", _("Key principal")
    PRINCIPAL_FAMOUS = "principal_famous", _("Famous principal")


class Title(models.TextChoices):
    """Professional titles (职称), from the highest."""

    SENIOR_PROFESSOR = "senior_professor", _("Professor-level senior")
    SENIOR = "senior", _("Senior")
    FIRST = "first", _("First grade")
    SECOND = "second", _("Second grade")
    THIRD = "third", _("Third grade")
    NONE = "none", _("No title")


class Teacher(AuditedModel):
    """A teacher, principal or kindergarten director (教师), who belongs to a
    school and earns learning-hour credits."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("school")
    )
    # Kept equal to school.district (save()): district-wide lists and the
    # district's own ids need it without a join.
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="teachers",
        verbose_name=_("district"),
        editable=False,
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    title = models.CharField(
        _("professional title"), max_length=20, choices=Title.choices, default=Title.NONE
    )
    role = models.CharField(
        _("role"), max_length=20, choices=TeacherRole.choices, default=TeacherRole.TEACHER
    )
    career_stage = models.CharField(
        _("career stage"), max_length=20, choices=CareerStage.choices, default=CareerStage.QUALIFIED
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher",
        verbose_name=_("account"),
    )
    external_id = models.CharField(_("district system id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    audit_exclude = ("id_number",)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["school_id", "name"]
        indexes = [
            models.Index(fields=["school", "name"]),
            models.Index(fields=["district", "updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "external_id"],
                condition=~models.Q(external_id=""),
                name="teacher_external_id_per_district",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:teacher-detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.id_number = normalise_id_number(self.id_number)
        if self.school_id and (not self.district_id or self._school_changed()):
            self.district_id = School.objects.values_list("district_id", flat=True).get(
                pk=self.school_id
            )
        super().save(*args, **kwargs)

    def _school_changed(self):
        return getattr(self, "_audit_snapshot", {}).get("school_id") != self.school_id

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)


class Vendor(AuditedModel):
    """A contracted training institution (承办机构); its staff see only the
    sub-projects they won."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self):
        return self.name
