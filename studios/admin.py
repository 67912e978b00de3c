from django.contrib import admin

from . import services
from .models import (
    Activity,
    Application,
    ApplicationDocument,
    Criterion,
    Evaluation,
    EvaluationScheme,
    MentoringPair,
    MentoringRule,
    Output,
    Plan,
    Score,
    SelectionRound,
    Studio,
    StudioPerson,
    StudioTask,
)


class PersonInline(admin.TabularInline):
    model = StudioPerson
    extra = 0
    raw_id_fields = ["teacher"]


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "stage", "managing_center", "cycle_start", "is_active"]
    list_filter = ["kind", "level", "managing_center"]
    search_fields = ["name", "subject"]
    inlines = [PersonInline]

    def save_model(self, request, obj, form, change):
        services.save_studio(studio=obj, by=request.user)


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0


@admin.register(SelectionRound)
class SelectionRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "studio", "role", "year", "status", "published_on"]
    list_filter = ["role", "status"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["teacher", "round", "status"]
    list_filter = ["status"]
    raw_id_fields = ["teacher"]
    inlines = [DocumentInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "status"]
    list_filter = ["kind", "status"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Attendance is recorded on the studio pages (services.record_activity);
    a change of hours here is brought to the ledger as well."""

    list_display = ["title", "studio", "kind", "held_on", "hours"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_activity_hours(activity=obj, by=request.user)


@admin.register(MentoringPair)
class MentoringPairAdmin(admin.ModelAdmin):
    list_display = ["__str__", "studio", "year", "completed_on"]
    raw_id_fields = ["mentor", "mentee"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "excellent_from", "pass_from", "is_active"]
    inlines = [CriterionInline]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "status", "total", "result"]
    list_filter = ["kind", "status", "result"]
    inlines = [ScoreInline]


admin.site.register([StudioTask, Output, MentoringRule])
