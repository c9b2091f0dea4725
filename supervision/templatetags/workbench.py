"""Template helpers of the supervision workbench."""

from django import template

from campaign.access import has_role, is_supervisor
from supervision import bulletins

register = template.Library()


@register.simple_tag(takes_context=True)
def workbench_roles(context) -> dict:
    """What the menu needs to know of the signed-in user's roles (cached on the user object)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"supervisor": False, "leader": False}
    return {"supervisor": is_supervisor(user), "leader": has_role(user, "leader", "team_member")}


@register.filter
def lag_phrase(lag) -> str:
    """supervision.bulletins.lag_phrase: "2.4 points behind" or "1.0 points ahead"."""
    return bulletins.lag_phrase(lag)


@register.filter
def light_phrase(row) -> str:
    """supervision.bulletins.light_phrase: the warnings that make a bulletin row's light."""
    return bulletins.light_phrase(row)
