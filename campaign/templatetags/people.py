"""How a person is named on a page: the full name of their profile, else the login name."""

from django import template

register = template.Library()


@register.filter
def person(user, fallback: str = "—") -> str:
    """{{ notice.issued_to|person }}; a missing user (deleted, or the system) shows `fallback`."""
    if user is None or user == "":
        return fallback
    profile = getattr(user, "profile", None)
    return getattr(profile, "full_name", "") or user.get_username()
