"""The admin is for operators only: no role user is staff and the role groups hold no admin
permission (earlier versions granted them after every migrate)."""

from django.db import migrations

ROLE_GROUPS = ["town_admin", "leader", "team_member", "supervisor", "observer"]


def take_admin_away(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    for group in Group.objects.filter(name__in=ROLE_GROUPS):
        group.permissions.clear()
    User.objects.filter(groups__name__in=ROLE_GROUPS, is_superuser=False, is_staff=True).update(
        is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0003_labels"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Not reversed: what the groups held in the admin is not given back.
    operations = [migrations.RunPython(take_admin_away, migrations.RunPython.noop)]
