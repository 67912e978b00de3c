"""Read-mostly admin for operators; the pages hold the rules (services)."""

from django.contrib import admin

from .models import (
    Achievement,
    Booking,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentComment,
    DocumentStep,
    DocumentVersion,
    Meeting,
    SharedFaculty,
    WorkDocument,
)


@admin.register(CouncilMember)
class CouncilMemberAdmin(admin.ModelAdmin):
    list_display = ("order", "center", "representative", "liaison", "is_active")


@admin.register(ChairTerm)
class ChairTermAdmin(admin.ModelAdmin):
    list_display = ("sequence", "center", "starts_on", "ends_on", "secretary_general")
    readonly_fields = ("handed_over_at",)


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    readonly_fields = ("number", "title", "author", "created_at")
    exclude = ("body",)


class StepInline(admin.TabularInline):
    model = DocumentStep
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "version", "actor", "note", "at")


@admin.register(WorkDocument)
class WorkDocumentAdmin(admin.ModelAdmin):
    list_display = ("year", "kind", "title", "status", "version")
    list_filter = ("kind", "status")
    readonly_fields = ("status", "version")
    inlines = [VersionInline, StepInline]


@admin.register(DocumentComment)
class DocumentCommentAdmin(admin.ModelAdmin):
    list_display = ("document", "center", "author", "created_at")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "title", "venue")
    list_filter = ("kind",)


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ("year", "center", "kind", "count")
    list_filter = ("year", "kind")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("room", "center", "starts_at", "ends_at", "cancelled_at")
    list_select_related = ("room__campus", "center")


@admin.register(SharedFaculty)
class SharedFacultyAdmin(admin.ModelAdmin):
    list_display = ("staff", "expertise", "listed_on", "withdrawn_on")
    list_select_related = ("staff",)


@admin.register(DigitalResource)
class DigitalResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "center", "year_added", "year_renewed", "year_retired")
    list_filter = ("kind", "center")
