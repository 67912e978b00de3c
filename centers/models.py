"""Organisations and people of the federation: districts, centers, schools,
teachers and contracted vendors."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

from .fields import EncryptedIdNumberField, IdNumberHashField, hash_id_number
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

    def get_absolute_url(self):
        return reverse("centers:district-detail", args=[self.pk])


class IdempotentBatch(models.Model):
    """A district system's batch under an ``Idempotency-Key`` (abstract: the
    credit sync, the training participation and the funding figures each keep
    their own table): the hash of its body and the answer it got, so a resend
    gets the same bytes back and writes nothing. The answer's JSON is kept as
    sent (compact text: a JSONField would reorder its keys)."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    key = models.CharField(_("idempotency key"), max_length=100)
    body_hash = models.CharField(_("body hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response = models.TextField(_("response"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


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


class TeacherQuerySet(RestrictedQuerySet):
    def with_id_number(self, *values):
        """Teachers holding any of these ID numbers (by keyed hash: the column
        itself is ciphertext)."""
        return self.filter(id_number_hash__in={hash_id_number(v) for v in values if v})

    def reencrypt_id_numbers(self) -> int:
        """After a new key is put first in ``ID_NUMBER_KEYS``: write every ID
        number again under it (the old keys can then be dropped)."""
        from .fields import encrypt

        done = 0
        for pk, plain in self.values_list("pk", "id_number").iterator():  # decrypted
            self.filter(pk=pk).update(id_number=encrypt(plain))
            done += 1
        return done


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
    # Ciphertext in the column, the number in Python; looked up and kept unique
    # by the keyed hash (centers/fields.py, docs/security.md).
    id_number = EncryptedIdNumberField(_("ID number"), validators=[validate_id_number])
    id_number_hash = IdNumberHashField(
        _("ID number hash"), max_length=64, unique=True, editable=False
    )
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    title = models.CharField(
        _("professional title"), max_length=20, choices=Title.choices, default=Title.NONE
    )
    role = models.CharField(
        pgettext_lazy("teacher", "role"),
        max_length=20,
        choices=TeacherRole.choices,
        default=TeacherRole.TEACHER,
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

    audit_exclude = ("id_number", "id_number_hash")
    #: a bulk update of id_number writes its hash too (core.batch.Upsert.save)
    batch_companions = {"id_number": ("id_number_hash",)}
    objects = TeacherQuerySet.as_manager()

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


# --- Facilities (场室) -------------------------------------------------------


class CampusKind(models.TextChoices):
    MAIN = "main", _("Main campus")
    BRANCH = "branch", _("Branch campus")


class Campus(AuditedModel):
    """A campus (校区) of a center: its main site or a branch campus, with its
    floor area. Rooms, canteens, dormitories and sports grounds belong to it."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="campuses", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CampusKind.choices, default=CampusKind.MAIN
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["center_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="campus_name_per_center"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:campus-detail", args=[self.pk])


class RoomFunction(models.TextChoices):
    COMPUTER_ROOM = "computer", _("Computer network room")
    MULTIMEDIA = "multimedia", _("Multimedia room")
    LECTURE_HALL = "lecture_hall", _("Lecture hall")
    COUNSELLING = "counselling", _("Counselling room")
    LIBRARY = "library", _("Library")
    SELF_STUDY = "self_study", _("Self-study room")
    CANTEEN = "canteen", _("Canteen")
    DORMITORY = "dormitory", _("Dormitory")
    SPORTS = "sports", _("Sports facility")
    OTHER = "other", _("Other")


#: Functions whose seats are teaching places.
TEACHING_FUNCTIONS = (
    RoomFunction.COMPUTER_ROOM,
    RoomFunction.MULTIMEDIA,
    RoomFunction.LECTURE_HALL,
)
#: The living facilities that must host the trainees too (000: 配套生活设施
#: (食堂、宿舍、体育活动场所等)能同时满足100人以上面授培训要求).
LIVING_FUNCTIONS = (RoomFunction.CANTEEN, RoomFunction.DORMITORY, RoomFunction.SPORTS)
#: The function rooms seed 000 lists (计算机网络教室、多媒体教室、多功能学术报告厅、
#: 心理健康辅导室、自习研训室、图书资料室).
REQUIRED_ROOM_FUNCTIONS = (
    RoomFunction.COMPUTER_ROOM,
    RoomFunction.MULTIMEDIA,
    RoomFunction.LECTURE_HALL,
    RoomFunction.COUNSELLING,
    RoomFunction.SELF_STUDY,
    RoomFunction.LIBRARY,
)


class Room(AuditedModel):
    """A room or facility (场室) of a campus by function, with its seats
    (beds for a dormitory block, places for a canteen). Bookable rooms can be
    shared across centers through the alliance."""

    campus = models.ForeignKey(
        Campus, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("campus")
    )
    function = models.CharField(_("function"), max_length=20, choices=RoomFunction.choices)
    name = models.CharField(_("name"), max_length=100)
    seats = models.PositiveIntegerField(
        _("seats / capacity"),
        default=0,
        help_text=_("Seats, beds or places, depending on the function."),
    )
    bookable = models.BooleanField(_("bookable by other centers"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room / facility")
        verbose_name_plural = _("rooms and facilities")
        ordering = ["campus_id", "function", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campus", "name"], name="room_name_per_campus"),
        ]

    def __str__(self):
        return f"{self.campus} · {self.name}"


# --- Staff (研训师资) ---------------------------------------------------------


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class Honour(models.TextChoices):
    """Honours (荣誉称号), from the lowest; ``HONOUR_RANK`` orders them."""

    NONE = "none", _("None")
    DISTRICT_KEY = "district_key", _("District key teacher")
    DISTRICT_LEADER = "district_leader", _("District (county) subject leader")
    MUNICIPAL_KEY = "municipal_key", _("Municipal key teacher")
    MUNICIPAL_LEADER = "municipal_leader", _("Municipal subject leader")
    SKILLS_PRIZE = "skills_prize", _("Provincial teaching-skills contest, second prize or above")
    FAMOUS = "famous", _("Famous teacher or principal")
    SPECIAL_GRADE = "special_grade", _("Special-grade teacher")


HONOUR_RANK = {value: rank for rank, value in enumerate(Honour.values)}


class Degree(models.TextChoices):
    """Highest education (学历), from the lowest; ``DEGREE_RANK`` orders them."""

    SECONDARY = "secondary", _("Secondary or below")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTOR = "doctor", _("Doctorate")


DEGREE_RANK = {value: rank for rank, value in enumerate(Degree.values)}

#: Titles from the highest; "senior" = the first two, "intermediate" = FIRST.
TITLE_RANK = {value: rank for rank, value in enumerate(reversed(Title.values))}
SENIOR_TITLES = (Title.SENIOR_PROFESSOR, Title.SENIOR)
SENIOR_OR_INTERMEDIATE_TITLES = (Title.SENIOR_PROFESSOR, Title.SENIOR, Title.FIRST)


class StaffMember(AuditedModel):
    """A trainer or research staffer (研训师资) of a center: full-time (专职)
    or part-time (兼职); research staff (教研员) are the ones the research-staff
    standards speak of."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="staff", verbose_name=_("center")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=50)
    employment = models.CharField(
        _("employment"), max_length=10, choices=Employment.choices, default=Employment.FULL_TIME
    )
    is_research_staff = models.BooleanField(_("research staff"), default=False)
    title = models.CharField(
        _("professional title"), max_length=20, choices=Title.choices, default=Title.NONE
    )
    honour = models.CharField(
        _("honour"), max_length=20, choices=Honour.choices, default=Honour.NONE
    )
    degree = models.CharField(
        _("degree"), max_length=20, choices=Degree.choices, default=Degree.BACHELOR
    )
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    years_teaching = models.PositiveSmallIntegerField(_("years teaching"), default=0)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    external_id = models.CharField(
        _("staff number"),
        max_length=64,
        blank=True,
        help_text=_("The center's own staff number; imports match rows on it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["center_id", "name"]
        indexes = [models.Index(fields=["center", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "external_id"],
                condition=~models.Q(external_id=""),
                name="staff_external_id_per_center",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:staff-detail", args=[self.pk])

    @property
    def is_senior(self):
        return self.title in SENIOR_TITLES


class StaffYearRecord(AuditedModel):
    """A staff member's activity in one school year (学年, ``year`` = the year
    it starts in September): days spent in schools each semester, lessons
    observed, whether a semester was taught in a school, and whether the
    person took part in research or training at all."""

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="year_records",
        verbose_name=_("staff member"),
    )
    year = models.PositiveSmallIntegerField(_("school year (starting)"))
    school_days_autumn = models.PositiveSmallIntegerField(
        _("days in schools, autumn semester"), default=0
    )
    school_days_spring = models.PositiveSmallIntegerField(
        _("days in schools, spring semester"), default=0
    )
    lessons_observed = models.PositiveSmallIntegerField(_("lessons observed"), default=0)
    taught_semester_in_school = models.BooleanField(
        _("taught a semester in a school"), default=False
    )
    demo_lesson_autumn = models.BooleanField(
        _("gave a demonstration lesson, autumn semester"), default=False
    )
    demo_lesson_spring = models.BooleanField(
        _("gave a demonstration lesson, spring semester"), default=False
    )
    took_part = models.BooleanField(
        _("took part in research or training"),
        default=True,
        help_text=_("False when the person did no research, training or management work."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff activity record")
        verbose_name_plural = _("staff activity records")
        ordering = ["staff_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="staff_record_per_year"),
        ]

    def __str__(self):
        return f"{self.staff} {self.year}-{self.year + 1}"


class StatusChangeKind(models.TextChoices):
    MOVED_OUT = "moved_out", _("Moved out")
    RETURNED = "returned", _("Returned")


class StaffStatusChange(AuditedModel):
    """A recorded change of a staff member's status, with its date and
    reason: 003 两年以上未参与教研或培训工作的要调离教师进修学校 — the person
    is moved out (调离), not only flagged."""

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("change"), max_length=20, choices=StatusChangeKind.choices)
    changed_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff status change")
        verbose_name_plural = _("staff status changes")
        ordering = ["staff_id", "-changed_on", "-pk"]

    def __str__(self):
        return f"{self.staff} · {self.get_kind_display()} · {self.changed_on}"


#: The message refusing an appointment of a trainer by their own center.
NOT_CROSS_CENTER = _("互聘 is an appointment by another member center, not the trainer's own.")


class AppointmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the home center's confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("appointment", "Confirmed")
    DECLINED = "declined", _("Declined by the home center")
    WITHDRAWN = "withdrawn", _("Withdrawn by the appointing center")


class StaffAppointment(AuditedModel):
    """互聘: a trainer of one member center (``staff.center``, the home
    center) appointed by another (``center``) for a term, in a role. Charter
    001 第八条（四）师资共享: 各成员单位研训师资须符合市级教师发展中心认定标准,
    在此基础上,其专、兼职师资可以互聘互用. Entered by the appointing center's
    staff and confirmed by the home center, or recorded by the alliance
    secretariat (confirmed at once); ``services.appointments``. While it
    awaits the home center, the home center (or the secretariat) declines it
    with a reason or the appointing center withdraws it; only a confirmed one
    is ended early. It is not a part-time trainer of the appointing center:
    the standards do not count it. The record of the appointment; the
    alliance's ``FacultyEngagement`` is the faculty register's history of a
    listed trainer (docs/centers.md, "Two records of 互聘")."""

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("trainer"),
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="appointed_staff",
        verbose_name=_("appointing center"),
    )
    role = models.CharField(
        _("appointed as"), max_length=100, help_text=_("E.g. 兼职培训师、课程主讲、项目导师.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PROPOSED,
        db_index=True,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or declined by"),
    )
    decided_at = models.DateTimeField(_("confirmed or declined at"), null=True, blank=True)
    #: withdrawn by the appointing center while it awaited the home center
    #: (``services.withdraw_appointment``): who and when; why in ``closing_reason``
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    #: why the home center declined it, or the appointing center withdrew it
    closing_reason = models.CharField(_("why declined or withdrawn"), max_length=300, blank=True)
    #: ended before its term (``services.end_appointment``): the last day, why, who
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended early"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross-center appointment (互聘)")
        verbose_name_plural = _("cross-center appointments (互聘)")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="staff_appointment_ends_after_start",
                violation_error_message=_("An appointment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (
                    Q(ended_on__gte=models.F("starts_on"))
                    & Q(ended_on__lt=models.F("ends_on"))
                    & ~Q(end_reason="")
                ),
                name="staff_appointment_ended_early_within_term",
                violation_error_message=_(
                    "An appointment ends early within its term, with a reason."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.staff} → {self.center} · {self.role}"

    def clean(self):
        super().clean()
        if self.staff_id and self.center_id and self.staff.center_id == self.center_id:
            raise ValidationError({"center": NOT_CROSS_CENTER})

    @property
    def last_day(self):
        """The term's last day: the early end if it ended early."""
        return self.ended_on or self.ends_on


# --- Mandates (职责) ----------------------------------------------------------


class TrainingKind(models.TextChoices):
    """Kinds of training and work the charter (001) hands to the centers."""

    GENERAL = "general", _("Teacher training (general)")
    PRINCIPAL_QUALIFICATION = "principal_qualification", _("Principal qualification training")
    PRINCIPAL_ADVANCED = "principal_advanced", _("Principal advanced and thematic training")
    KEY_TEACHER = "key_teacher", _("Key-teacher cultivation")
    SPECIAL_EDUCATION = "special_education", _("Special-education teacher training")
    PAIRED_ASSISTANCE = "paired_assistance", _("Paired-assistance training")
    STUDIO = "studio", _("Studio guidance and management")
    RESEARCH_STAFF = "research_staff", _("Research-staff and trainer training")
    NEW_CURRICULUM = "new_curriculum", _("New curriculum and examination leadership")
    SCHOOL_BASED = "school_based", _("School-based research and training guidance")
    WHOLE_STAFF = "whole_staff", _("Whole-staff training")
    IT_ABILITY = "it_ability", _("IT application ability program 2.0")
    PLATFORM = "platform", _("Continuing-education platform")
    REMOTE_RESOURCES = "remote_resources", _("Distance-training resources")


class TargetGroup(models.TextChoices):
    TEACHERS = "teachers", _("Teachers")
    PRINCIPALS = "principals", _("Principals and kindergarten directors")
    RESEARCH_STAFF = "research_staff", _("Research staff and trainers")
    SPECIAL_EDUCATION = "special_education", _("Special-education teachers")


class Mandate(AuditedModel):
    """A responsibility (职责) of a municipal center from the charter: a kind
    of training for a target group, optionally only at one stage or ownership.
    Blank fields match anything; ``services.route_mandate`` picks the most
    specific mandate for a piece of work."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("center")
    )
    training_kind = models.CharField(
        _("training kind"), max_length=30, choices=TrainingKind.choices, blank=True
    )
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, blank=True
    )
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("Breaks ties between equally specific mandates.")
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["center_id", "training_kind", "target_group", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_kind", "target_group", "stage", "ownership"],
                name="mandate_unique_scope",
            ),
        ]

    def __str__(self):
        parts = [
            self.get_training_kind_display() if self.training_kind else "",
            self.get_target_group_display() if self.target_group else "",
            self.get_stage_display() if self.stage else "",
            self.get_ownership_display() if self.ownership else "",
        ]
        return f"{self.center.short_name or self.center}: " + (
            " · ".join(p for p in parts if p) or str(_("everything else"))
        )


# --- Standards (认定标准) -----------------------------------------------------


class Standard(AuditedModel):
    """A standard a center is checked against (e.g. the district
    training-school opinion, 003), as a named set of measurable rules."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in force"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Metric(models.TextChoices):
    """The figures ``services.evaluate_centers`` knows how to compute."""

    PART_TIME_RATIO = "part_time_ratio", _("Part-time : full-time staff")
    PART_TIME_TO_RESEARCH_RATIO = (
        "part_time_to_research_ratio",
        _("Part-time staff : research staff"),
    )
    SENIOR_OR_INTERMEDIATE_SHARE = (
        "senior_or_intermediate_share",
        _("Share of all staff (teachers in total) with senior or intermediate titles (%)"),
    )
    SENIOR_SHARE = (
        "senior_share",
        _("Share of all staff (teachers in total) with senior titles (%)"),
    )
    TEACHING_SEATS = "teaching_seats", _("Teaching seats")
    HOSTING_CAPACITY = (
        "hosting_capacity",
        _("Trainees hosted at once (fewest of teaching seats, canteen, dormitory, sports)"),
    )
    MISSING_ROOM_KINDS = "missing_room_kinds", _("Required function rooms missing")
    STAFF_RENEWAL = "staff_renewal", _("Staff renewed in the last five years (%)")
    POSTGRADUATE_RESEARCH_STAFF = (
        "postgraduate_research_staff",
        _("Research staff with a postgraduate degree"),
    )
    MISSING_DEMO_LESSONS = (
        "missing_demo_lessons",
        _("Research staff without a demonstration lesson each semester"),
    )
    UNCOVERED_SUBJECTS = "uncovered_subjects", _("Subjects without research staff")
    LARGEST_ROOM = "largest_room", _("Seats of the largest teaching room")
    MIN_SCHOOL_DAYS = "min_school_days", _("Fewest days in schools in a semester (research staff)")
    MIN_LESSONS_OBSERVED = (
        "min_lessons_observed",
        _("Fewest lessons observed in a year (research staff)"),
    )
    YEARS_SINCE_SCHOOL_SEMESTER = (
        "years_since_school_semester",
        _("Longest time since a semester taught in a school (years, research staff)"),
    )
    INACTIVE_STAFF = "inactive_staff", _("Staff inactive for two years")
    NEW_HIRES_MEETING_ENTRY = (
        "new_hires_meeting_entry",
        _("New research staff meeting the entry conditions (%)"),
    )


class Comparison(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"


class StandardRule(AuditedModel):
    """One measurable rule of a standard: a metric compared to a threshold."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="rules", verbose_name=_("standard")
    )
    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(_("description"), max_length=300)
    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices)
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.GTE
    )
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in force"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("standard rule")
        verbose_name_plural = _("standard rules")
        ordering = ["standard_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="rule_code_per_standard"),
        ]

    def __str__(self):
        return self.description

    def holds(self, value) -> bool:
        if value is None:
            return False
        if self.comparison == Comparison.LTE:
            return value <= self.threshold
        return value >= self.threshold


# --- Excel imports ------------------------------------------------------------


class ImportKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    SCHOOLS = "schools", _("Schools")
    TEACHERS = "teachers", _("Teachers")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Awaiting confirmation")
    COMMITTED = "committed", _("Imported")
    DISCARDED = "discarded", _("Discarded")


class ImportBatch(models.Model):
    """An uploaded workbook, parsed and validated, kept server-side between
    the preview and the commit (nothing is written before the commit)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("file checksum"), max_length=64)
    rows = models.JSONField(_("parsed rows"), default=list)
    errors = models.JSONField(_("errors by row"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    summary = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def has_errors(self):
        return bool(self.errors)
