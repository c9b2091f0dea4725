"""The menu's question of web.landing: does this user do the projects' work (待办 entry)?"""

from django import template

from campaign import access
from web import landing

register = template.Library()


@register.filter
def works_on_projects(user) -> bool:
    return bool(user and user.is_authenticated and landing.works_on_projects(user))


@register.filter
def is_campaign_office(user) -> bool:
    """town_admin: offered the wall links of the dashboard's campaign."""
    return bool(user and user.is_authenticated and access.is_town_admin(user))
