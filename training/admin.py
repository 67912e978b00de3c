from django.contrib import admin

from .models import (
    Attendance,
    Enrollment,
    Expert,
    Notice,
    Plan,
    PracticeBase,
    Procurement,
    Project,
    Quota,
    Result,
    ResultRule,
    Session,
    SubProject,
)


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["code", "name"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["year", "level", "name", "holder_kind", "budget", "planned_trainees", "status"]
    list_filter = ["level", "holder_kind", "status", "year"]
    search_fields = ["name"]
    raw_id_fields = ["center", "district"]
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "plan"]
    list_select_related = ["plan"]
    search_fields = ["name", "code"]
    raw_id_fields = ["plan"]


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0
    raw_id_fields = ["district", "school"]


class ResultRuleInline(admin.StackedInline):
    model = ResultRule
    extra = 0


@admin.register(SubProject)
class SubProjectAdmin(admin.ModelAdmin):
    """Status, seats and the proposed center change through the services only."""

    list_display = ["name", "code", "center", "vendor", "status", "capacity", "seats_taken"]
    list_filter = ["status", "tier", "mode"]
    list_select_related = ["center", "vendor"]
    search_fields = ["name", "code"]
    raw_id_fields = ["project", "district", "center", "vendor"]
    readonly_fields = ["status", "seats_taken", "proposed_center", "closed_at"]
    inlines = [ResultRuleInline, QuotaInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read-only: seats and the waitlist change through the services only."""

    list_display = ["teacher", "subproject", "status", "queued_at", "confirmed_at"]
    list_filter = ["status"]
    list_select_related = ["teacher", "subproject"]
    search_fields = ["teacher__name", "subproject__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "subproject", "starts_at", "signed_off_at"]
    list_select_related = ["subproject"]
    raw_id_fields = ["subproject", "signed_off_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "session", "present", "method", "checked_in_at"]
    raw_id_fields = ["enrollment", "session", "corrected_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "score", "grade", "recommended"]
    raw_id_fields = ["enrollment", "entered_by"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Notice)


# --- Procurement: the pool is kept here; procurements move only through the
# services (the admin reads them).


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "title", "stage", "vendor", "available"]
    list_filter = ["stage", "available"]
    search_fields = ["name", "organisation", "subjects"]
    raw_id_fields = ["vendor"]
    filter_horizontal = ["conflicts"]


@admin.register(PracticeBase)
class PracticeBaseAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "district", "capacity", "available"]
    list_filter = ["stage", "available"]
    search_fields = ["name", "subjects"]
    raw_id_fields = ["school", "district"]


@admin.register(Procurement)
class ProcurementAdmin(admin.ModelAdmin):
    list_display = ["title", "center", "method", "budget", "status", "need_filed_at"]
    list_filter = ["status", "method"]
    search_fields = ["title", "agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
