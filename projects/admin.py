from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from campaign.people import name_of

from . import services
from .models import (
    ActionItem,
    Assignment,
    Hazard,
    HazardPhoto,
    Highlight,
    Meeting,
    Milestone,
    Obstacle,
    ObstaclePhoto,
    ProgressReport,
    Project,
    ReportPhoto,
    SafetyCheck,
)


class MarksProjectsDue:
    """An operator's edit in the admin goes around the services, so it does what they do when a
    project's inputs change (services.inputs_changed): the project is due for review, re-scanned
    once the edit commits, and its campaign's cached pages are dropped — a saved row, its inlines
    (milestones, hazards), a deleted one, a deletion of many. Both projects when a row moves from
    one to another. project_path: the path from the row to its project's key."""

    project_path = "project_id"

    def _projects(self, queryset) -> set:
        return set(queryset.values_list(self.project_path, flat=True))

    def save_model(self, request, obj, form, change):
        # The project(s) before the edit: a row moved to another project changes both. Marked
        # once, after the inlines (save_related follows save_model on every admin save).
        obj._projects_before = self._projects(type(obj).objects.filter(pk=obj.pk)) if change \
            else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        services.inputs_changed(getattr(obj, "_projects_before", set())
                                | self._projects(type(obj).objects.filter(pk=obj.pk)))

    def delete_model(self, request, obj):
        touched = self._projects(type(obj).objects.filter(pk=obj.pk))
        super().delete_model(request, obj)
        services.inputs_changed(touched)

    def delete_queryset(self, request, queryset):
        touched = self._projects(queryset)
        super().delete_queryset(request, queryset)
        services.inputs_changed(touched)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = ["completed_on"]  # set by the report service


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["user", "unit"]


@admin.register(Project)
class ProjectAdmin(MarksProjectsDue, SimpleHistoryAdmin):
    project_path = "pk"
    list_display = ["code", "name", "level", "listed_by", "leader_name", "status", "progress",
                    "health", "last_reported_at"]
    list_display_links = ["code", "name"]
    list_filter = ["campaign", "level", "listed_by", "status", "health", "category"]
    search_fields = ["code", "name", "owner", "leader__profile__full_name"]
    list_select_related = ["listed_by", "leader__profile"]
    autocomplete_fields = ["leader", "listed_by"]
    # Owned by the report service and the scan: an operator cannot step around them.
    readonly_fields = ["progress", "investment_done", "health", "last_reported_at", "paused_on",
                       "resumed_on"]
    inlines = [MilestoneInline, AssignmentInline]
    fieldsets = [
        (None, {"fields": ["campaign", "code", "name", "level", "listed_by", "owner", "category",
                           "goal"]}),
        (_("Plan"), {"fields": ["planned_start", "planned_end", "planned_investment", "leader",
                                "status", "pause_reason", "pause_approved"]}),
        (_("Current state (derived)"), {"fields": ["progress", "investment_done", "health",
                                                   "last_reported_at", "paused_on",
                                                   "resumed_on"]}),
    ]

    @admin.display(description=_("responsible leader"), ordering="leader__profile__full_name")
    def leader_name(self, obj):
        return name_of(obj.leader)


class StoredPhotoInline(admin.TabularInline):
    """Read-only: a photo is stored by its service (projects.photos.store), which strips its
    metadata and makes its copies; one added or replaced here would keep the phone's GPS position.
    Subclasses set model (a StoredPhoto)."""

    extra = 0
    fields = readonly_fields = ["image", "screen", "thumbnail", "taken_at", "taken_before_period",
                                "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReportPhotoInline(StoredPhotoInline):
    model = ReportPhoto


class ObstaclePhotoInline(StoredPhotoInline):
    model = ObstaclePhoto
    fields = readonly_fields = ["stage", *StoredPhotoInline.fields]


class HazardPhotoInline(StoredPhotoInline):
    model = HazardPhoto
    fields = readonly_fields = ["stage", *StoredPhotoInline.fields]


@admin.register(ProgressReport)
class ProgressReportAdmin(MarksProjectsDue, admin.ModelAdmin):
    list_display = ["project", "percent", "investment_done", "reported_by", "reported_at"]
    list_filter = ["project__campaign", "project__level"]
    search_fields = ["project__code", "project__name", "work_done", "problems"]
    list_select_related = ["project", "reported_by"]
    date_hierarchy = "reported_at"
    # A report's figures are the leader's word, kept as filed; the project follows the service.
    readonly_fields = ["project", "percent", "investment_done", "reported_by", "reported_at"]
    inlines = [ReportPhotoInline]

    def has_add_permission(self, request):
        return False  # filed on the project page through projects.services.submit_report


@admin.register(Obstacle)
class ObstacleAdmin(MarksProjectsDue, SimpleHistoryAdmin):
    list_display = ["title", "project", "category", "responsible_unit", "due_date", "status"]
    list_filter = ["category", "status", "project__campaign"]
    search_fields = ["title", "description", "project__name", "project__code"]
    list_select_related = ["project", "responsible_unit"]
    autocomplete_fields = ["project", "responsible_unit", "raised_by"]
    inlines = [ObstaclePhotoInline]


class HazardInline(admin.TabularInline):
    model = Hazard
    extra = 0
    readonly_fields = ["status", "review_round"]


@admin.register(SafetyCheck)
class SafetyCheckAdmin(MarksProjectsDue, admin.ModelAdmin):
    list_display = ["project", "checked_on", "checked_by"]
    list_filter = ["project__campaign"]
    search_fields = ["project__name", "project__code", "summary"]
    list_select_related = ["project", "checked_by"]
    autocomplete_fields = ["project", "checked_by"]
    inlines = [HazardInline]


@admin.register(Hazard)
class HazardAdmin(MarksProjectsDue, SimpleHistoryAdmin):
    project_path = "check_record__project_id"
    list_display = ["description", "check_record", "level", "rectify_by", "rectified_on", "status"]
    list_filter = ["level", "status", ("rectified_on", admin.EmptyFieldListFilter)]
    # The team's 整改完毕 and the supervision group's 复核 own these (services).
    readonly_fields = ["status", "review_round", "rectified_on", "rectification"]
    search_fields = ["description", "check_record__project__name"]
    list_select_related = ["check_record__project"]
    inlines = [HazardPhotoInline]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    autocomplete_fields = ["owner", "project"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "held_on", "chaired_by", "location"]
    list_filter = ["kind", "campaign"]
    search_fields = ["title", "summary", "location"]
    list_select_related = ["chaired_by"]
    autocomplete_fields = ["chaired_by", "projects"]
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["description", "meeting", "owner", "due_date", "done_on"]
    list_filter = [("done_on", admin.EmptyFieldListFilter)]
    search_fields = ["description"]
    list_select_related = ["meeting", "owner"]


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "project", "person_name", "created_at"]
    list_filter = ["kind", "campaign"]
    search_fields = ["title", "body", "person_name"]
    list_select_related = ["project"]
    # Stored by its service (supervision.highlights.create_highlight), re-encoded without the
    # phone's metadata; one uploaded here would keep its GPS position and go out in bulletins.
    readonly_fields = ["photo"]
    autocomplete_fields = ["project"]
