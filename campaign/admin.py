from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Campaign, Profile, Role, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "start_date", "end_date", "status",
                    "declared_project_count", "project_count"]
    list_filter = ["status", "is_demo"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["unit", "name", "start_date", "end_date", "status",
                           "declared_project_count", "is_demo"]}),
        (_("Lateness rules"), {"fields": ["yellow_lag_points", "red_lag_points",
                                          "milestone_grace_days", "report_weekday",
                                          "report_due_time"]}),
        (_("Notices and notifications"), {"fields": ["notice_prefix", "notice_response_days",
                                                     "escalate_after_days", "auto_issue_notices",
                                                     "webhook_url"]}),
        (_("Official documents"), {"fields": ["issuing_body", "issuing_short_name", "recipients",
                                              "contact_person", "contact_phone"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_project_count=Count("projects"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # around the service: what update_campaign does after its write
            services.campaign_changed(obj)

    @admin.display(description=_("projects (counted)"), ordering="_project_count")
    def project_count(self, obj):
        return obj._project_count


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]
    # Not "个人信息" twice on one page: the user form has a section of that name.
    verbose_name = verbose_name_plural = _("Name, unit and job title")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    # The name people are known by is the profile's full name (姓名); Django's first and last
    # name are never shown, so the form does not ask for them.
    fieldsets = [
        BaseUserAdmin.fieldsets[0],
        (BaseUserAdmin.fieldsets[1][0], {"fields": ["email"]}),  # Personal info
        *BaseUserAdmin.fieldsets[2:],
    ]
    list_display = ["username", "full_name", "unit", "roles", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "profile__full_name", "profile__phone"]
    list_select_related = ["profile__unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            # The office picks roles by their Chinese labels, not the fixed code names.
            field.label_from_instance = lambda group: _("%(label)s (%(code)s)") % {
                "label": role_label(group.name), "code": group.name}
        return field

    @admin.display(description=_("full name"), ordering="profile__full_name")
    def full_name(self, obj):
        return getattr(getattr(obj, "profile", None), "full_name", "")

    @admin.display(description=_("unit"))
    def unit(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.unit if profile else ""

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return "、".join(role_label(g.name) for g in obj.groups.all())


def role_label(code_name: str) -> str:
    try:
        return str(Role(code_name).label)
    except ValueError:
        return code_name


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ["name", "label"]

    @admin.display(description=_("label"))
    def label(self, obj):
        return role_label(obj.name)
