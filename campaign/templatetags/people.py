"""How a person is named on a page (campaign.people)."""

from django import template

from campaign.models import Role
from campaign.people import label_of, name_of

register = template.Library()


@register.filter
def person(user, fallback: str = "—") -> str:
    """{{ notice.issued_to|person }}; a missing user (deleted, or the system) shows `fallback`."""
    return name_of(user, fallback)


@register.filter
def person_label(user) -> str:
    """{{ user|person_label }}: 姓名（单位·职务）, as every person picker shows it."""
    return label_of(user)


@register.filter
def role_label(code_name: str) -> str:
    """A role group's Chinese label from its code name."""
    try:
        return str(Role(code_name).label)
    except ValueError:
        return code_name
