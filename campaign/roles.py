"""The role groups and what each may do in the Django admin.

The groups are created by a data migration; their admin permissions are (re)granted after every
migrate, because Django creates permission rows only after the migrations have run.
"""


from .models import Role

#: app_label → which roles get every model permission of that app in the admin.
ADMIN_APPS = {
    "campaign": {Role.TOWN_ADMIN},
    "projects": {Role.TOWN_ADMIN},
    "supervision": {Role.TOWN_ADMIN, Role.SUPERVISOR},
}
#: Extra (app_label, codename) pairs per role.
EXTRA_PERMISSIONS = {
    Role.TOWN_ADMIN: {("auth", "view_user"), ("auth", "add_user"), ("auth", "change_user"),
                      ("auth", "view_group")},
    Role.SUPERVISOR: {("projects", "view_project"), ("projects", "view_progressreport"),
                      ("projects", "view_obstacle"), ("projects", "view_hazard"),
                      ("projects", "view_highlight"), ("projects", "add_highlight"),
                      ("projects", "change_highlight")},
}


def grant_role_permissions(**kwargs):
    """post_migrate: give each role group its admin permissions. Safe to run any number of times."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        apps = [app for app, roles in ADMIN_APPS.items() if role in roles]
        perms = list(Permission.objects.filter(content_type__app_label__in=apps))
        for app_label, codename in EXTRA_PERMISSIONS.get(role, ()):
            perms += list(Permission.objects.filter(content_type__app_label=app_label,
                                                    codename=codename))
        group.permissions.add(*perms)
