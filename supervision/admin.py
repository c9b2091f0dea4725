"""The operators' admin. What the services own is read-only here, so that even an operator
cannot step around a workflow: a notice's state and number, a bulletin's state and snapshot, a
criticism's confirmation, flags, events and deliveries. Those are changed on the app's pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.admin import MarksProjectsDue, StoredPhotoInline

from .models import (
    Bulletin,
    Criticism,
    Delivery,
    Finding,
    FindingPhoto,
    Flag,
    HazardReview,
    Notice,
    NoticeEvent,
    NoticeResponse,
    Notification,
    ResponsePhoto,
    SpotCheck,
)


@admin.register(Flag)
class FlagAdmin(MarksProjectsDue, admin.ModelAdmin):
    list_display = ["project", "kind", "severity", "opened_at", "resolved_at"]
    list_filter = ["kind", "severity", ("resolved_at", admin.EmptyFieldListFilter),
                   "project__campaign"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]
    readonly_fields = ["project", "kind", "severity", "opened_at", "resolved_at", "details",
                       "updated_at"]

    def has_add_permission(self, request):
        return False  # the scan opens flags


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    readonly_fields = ["action", "actor", "at", "comment"]
    can_delete = False


class NoticeResponseInline(admin.StackedInline):
    model = NoticeResponse
    extra = 0
    readonly_fields = ["responded_by", "responded_at", "measures"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # the leader responds on the notice page


class ResponsePhotoInline(StoredPhotoInline):
    model = ResponsePhoto


@admin.register(NoticeResponse)
class NoticeResponseAdmin(admin.ModelAdmin):
    """A response as the leader sent it, with its photos (read-only, like its notice's inline)."""

    list_display = ["notice", "responded_by", "responded_at"]
    list_select_related = ["notice", "responded_by"]
    readonly_fields = ["notice", "measures", "responded_by", "responded_at"]
    inlines = [ResponsePhotoInline]

    def has_add_permission(self, request):
        return False  # the leader responds on the notice page


@admin.register(Notice)
class NoticeAdmin(MarksProjectsDue, SimpleHistoryAdmin):
    list_display = ["number", "project", "issued_to", "status", "respond_by", "urge_count"]
    list_filter = ["status", "campaign"]
    search_fields = ["number", "project__code", "project__name", "reason"]
    list_select_related = ["project", "issued_to"]
    readonly_fields = ["campaign", "project", "issued_to", "status", "number", "year", "sequence",
                       "respond_by", "created_by", "created_at", "issued_at", "acknowledged_at",
                       "responded_at", "closed_at", "last_urged_at", "urge_count", "escalated_at"]
    inlines = [NoticeResponseInline, NoticeEventInline]

    def has_add_permission(self, request):
        return False  # drafted on the workbench or by the scan, then issued by the service


@admin.register(Criticism)
class CriticismAdmin(SimpleHistoryAdmin):
    list_display = ["project", "person", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["project__name", "reason"]
    list_select_related = ["project", "person"]
    readonly_fields = ["status", "created_at", "confirmed_at", "confirmed_by", "notice"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    autocomplete_fields = ["project"]


class FindingPhotoInline(StoredPhotoInline):
    model = FindingPhoto


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["project", "spot_check", "recorded_at"]
    list_select_related = ["project", "spot_check"]
    search_fields = ["description", "project__code", "project__name"]
    autocomplete_fields = ["project"]
    inlines = [FindingPhotoInline]


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    readonly_fields = ["status", "seed", "sample_size", "weight_red", "created_by", "created_at"]
    list_display = ["title", "kind", "planned_on", "sample_size", "seed", "status"]
    list_filter = ["kind", "status", "campaign"]
    search_fields = ["title"]
    inlines = [FindingInline]


@admin.register(HazardReview)
class HazardReviewAdmin(admin.ModelAdmin):
    """The record of 复核 (supervision.hazards owns every field): read only."""

    list_display = ["hazard", "round", "verdict", "reviewed_by", "reviewed_at"]
    list_filter = ["verdict"]
    list_select_related = ["hazard", "reviewed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "period_start", "period_end", "status", "published_at"]
    list_filter = ["status", "campaign"]
    readonly_fields = ["status", "snapshot", "generated_at", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False  # drafted and published by the bulletin service


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "last_error", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]
    inlines = [DeliveryInline]
