"""The operators' admin drops every cached page after a change it saves.

The admin writes models directly (operators only; the fields services own are read-only there),
so it bumps the page cache itself: every successful admin POST (answered with a redirect) bumps
the global version (core.pagecache), which every cached page and signed-in user's entry is read
under. Operators' edits are rare; a town's pages are recomputed once after each."""

import functools

from django.contrib import admin

from core import pagecache

_admin_view = admin.site.admin_view


def _bumping_admin_view(view, cacheable=False):
    inner = _admin_view(view, cacheable)

    @functools.wraps(inner)
    def wrapped(request, *args, **kwargs):
        response = inner(request, *args, **kwargs)
        if request.method == "POST" and response.status_code in (301, 302, 303):
            pagecache.bump_everything()
        return response

    return wrapped


admin.site.admin_view = _bumping_admin_view
