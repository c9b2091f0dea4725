"""The menu's question of web.landing: does this user do the projects' work (待办 entry)?"""

from django import template

from web import landing

register = template.Library()


@register.filter
def works_on_projects(user) -> bool:
    return bool(user and user.is_authenticated and landing.works_on_projects(user))
