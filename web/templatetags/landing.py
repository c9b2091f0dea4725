"""The menu's question of web.landing: does this user do the projects' work (待办 entry)?"""

from django import template

from campaign import access
from campaign.models import Role
from web import landing

register = template.Library()


@register.filter
def works_on_projects(user) -> bool:
    return bool(user and user.is_authenticated and landing.works_on_projects(user))


@register.filter
def is_campaign_office(user) -> bool:
    """town_admin: offered the wall links of the dashboard's campaign."""
    return bool(user and user.is_authenticated and access.is_town_admin(user))


@register.filter
def is_higher_office(user) -> bool:
    """An observer only: the menu offers the supervision pages it reads, not 我的项目 or 专题会."""
    return bool(user and user.is_authenticated and landing.is_higher_office(user))


@register.filter
def is_observer(user) -> bool:
    return bool(user and user.is_authenticated and access.has_role(user, Role.OBSERVER))
