"""The page header of the signed-in user, rendered once per user and state in each process.

The menu and the user's side of the navbar (bell, language switch, name, log out) take ~0.7 ms
to render, a good part of a cached page. What they show is a function of the user's state as
campaign.viewer validated it on this request (its generations), the language and the page's URL
name, so the HTML is kept in this process under those, for that user id only. The two things
that change on every request are left as slots and filled in: the CSRF token (masked anew each
time) and the current path (the language switch's `next`). Without the shared cache there are no
generations and the fragment is rendered each time.
"""

import secrets
import threading

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from campaign import viewer

register = template.Library()

#: Fragments kept per process; the dictionary is emptied when it reaches this size.
MAX_FRAGMENTS = 2000
#: Random per process, so no text a user controls can be taken for a slot.
CSRF_SLOT = f"gj-csrf-{secrets.token_hex(12)}"
PATH_SLOT = f"gj-path-{secrets.token_hex(12)}"

_fragments: dict[tuple, str] = {}
_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def user_fragment(context, template_name: str):
    """{% include template_name %}, with `current_path` set, kept per user (see above)."""
    request = context.get("request")
    user = context.get("user")
    fragment = context.template.engine.get_template(template_name)
    state = viewer.generations(user) if request is not None else None
    if state is None:
        path = request.get_full_path() if request is not None else ""
        with context.push(current_path=path):
            return fragment.render(context)
    match = getattr(request, "resolver_match", None)
    key = (user.pk, state, template_name, get_language(), match.url_name if match else None)
    html = _fragments.get(key)
    if html is None:
        with context.push(csrf_token=CSRF_SLOT, current_path=PATH_SLOT):
            html = str(fragment.render(context))
        with _lock:
            if len(_fragments) >= MAX_FRAGMENTS:
                _fragments.clear()
            _fragments[key] = html
    token = str(context.get("csrf_token", ""))
    return mark_safe(html.replace(CSRF_SLOT, conditional_escape(token))
                     .replace(PATH_SLOT, conditional_escape(request.get_full_path())))
