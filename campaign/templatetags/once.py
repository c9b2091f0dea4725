"""{% once_field %}: the hidden one-time token of a create form (campaign.once)."""

from django import template
from django.utils.html import format_html

from campaign import once

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context) -> str:
    request = context.get("request")
    value = once.token_of(request) if request is not None else once.new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, value)
