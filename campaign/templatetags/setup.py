"""Whether the menu offers 设置 (the campaign office's setup)."""

from django import template

from campaign.access import is_town_admin

register = template.Library()


@register.simple_tag(takes_context=True)
def setup_visible(context) -> bool:
    """The campaign office sees 设置 (its roles are read once per request and cached)."""
    return is_town_admin(context["request"].user)
