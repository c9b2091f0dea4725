"""Links that leave the page: in notifications, e-mails and webhook messages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def path_to(viewname: str, *args, query: str = "") -> str:
    """The site-relative path of a named view (reverse), with an optional query string: what an
    in-app notification stores."""
    path = reverse(viewname, args=args)
    return f"{path}?{query}" if query else path


def absolute(path: str) -> str:
    """A site-relative path as a full address under SITE_URL (unchanged when SITE_URL is empty or
    the path is already absolute): what an e-mail or a webhook message carries."""
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base and path.startswith("/") else path
