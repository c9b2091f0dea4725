"""The menu's question of web.landing: does this user do the projects' work (待办 entry)?"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

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


#: The rendered main menu by (roles, page name, language): all it reads (includes/nav_items.html
#: asks the user's roles only, and marks the current page). A few dozen entries at most.
_MENUS: dict[tuple, str] = {}
_MENUS_MAX = 512


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    """includes/nav_items.html, rendered once per process for each combination of the signed-in
    user's roles, the page (its URL name) and the language, then reused: the menu is the same
    for everyone with the same roles on the same page, and templates do not change while the
    process runs (except with DEBUG, where it is rendered every time)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    key = (frozenset(access.roles_of(request.user)), match.url_name if match else None,
           translation.get_language())
    menu = None if settings.DEBUG else _MENUS.get(key)
    if menu is None:
        menu = render_to_string("includes/nav_items.html", context.flatten(), request)
        if len(_MENUS) >= _MENUS_MAX:
            _MENUS.clear()
        _MENUS[key] = menu
    return menu
