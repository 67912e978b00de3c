from django.contrib import admin

from .models import CategoryMinimum, CreditClaim, CreditEntry, CreditPolicy, Transcript


class MinimumInline(admin.TabularInline):
    model = CategoryMinimum
    extra = 1


@admin.register(CreditPolicy)
class CreditPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "cycle_start", "cycle_end", "total_hours", "is_active"]
    inlines = [MinimumInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger changes through reversals, never here."""

    list_display = ["teacher", "hours", "category", "source", "earned_on", "external_id"]
    list_select_related = ["teacher"]
    raw_id_fields = ["teacher", "reverses", "registered_by"]
    search_fields = ["external_id", "activity_key", "teacher__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditClaim)
class CreditClaimAdmin(admin.ModelAdmin):
    list_display = ["teacher", "title", "hours", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["teacher", "entry"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = ["code", "teacher_name", "total_hours", "issued_at"]
    search_fields = ["code"]

    def has_change_permission(self, request, obj=None):
        return False
