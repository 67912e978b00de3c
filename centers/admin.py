from django.contrib import admin

from .models import (
    Campus,
    Center,
    District,
    Mandate,
    Room,
    School,
    StaffMember,
    StaffYearRecord,
    Standard,
    StandardRule,
    Teacher,
    Vendor,
)

admin.site.register([District, Center, School, Vendor, Mandate, Campus, Room])


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "district", "masked_id_number"]
    list_select_related = ["school", "district"]
    search_fields = ["name", "external_id"]
    exclude = ["id_number"]  # never shown whole here; edit it on the portal page


class StaffYearRecordInline(admin.TabularInline):
    model = StaffYearRecord
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "center", "employment", "is_research_staff", "title"]
    list_filter = ["employment", "is_research_staff", "title"]
    inlines = [StaffYearRecordInline]


class StandardRuleInline(admin.TabularInline):
    model = StandardRule
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    inlines = [StandardRuleInline]
