"""The role groups exist, and hold no admin permission.

Migration 0002_role_groups creates them; they are made again after every migrate or flush
(post_migrate; a flush, as transactional tests do, empties the table). The admin is for operators
only (superusers, config.urls): the campaign office sets up its campaign in the app's 设置 pages,
where every write goes through a service and the town scope of campaign.access applies.
Migration 0004_setup_no_admin_for_roles took back what earlier versions granted the groups.
"""

from .models import Role


def ensure_role_groups(**kwargs):
    """post_migrate: the five groups, without permissions. Safe to run any number of times."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
