"""How a person is named on a page (campaign.people)."""

from django import template

from campaign.people import name_of

register = template.Library()


@register.filter
def person(user, fallback: str = "—") -> str:
    """{{ notice.issued_to|person }}; a missing user (deleted, or the system) shows `fallback`."""
    return name_of(user, fallback)
