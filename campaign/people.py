"""How a person is named: the full name (姓名) of their profile, else the login name.

Every page, document, notification and picker names people through these two functions; and how
a phone number is written down (clean_phone), by the setup form and the Excel import alike."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: A phone as stored: digits, an optional leading +, and - ( ) between them (0591-28888888).
_PHONE = re.compile(r"\+?[0-9][0-9()\-]{4,28}")


def clean_phone(text: str) -> str:
    """A phone number as typed, written down one way: full-width digits and signs made plain
    (１３８ → 138), spaces taken out; "" stays "". ValidationError for anything else (letters)."""
    phone = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if phone and not _PHONE.fullmatch(phone):
        raise ValidationError(_("The phone %(phone)s may hold digits and - + ( ) only.")
                              % {"phone": text.strip()})
    return phone


def name_of(user, fallback: str = "") -> str:
    """姓名, else the login name; fallback for no user (deleted, or the system)."""
    if user is None or user == "":
        return fallback
    profile = getattr(user, "profile", None)
    return getattr(profile, "full_name", "") or user.get_username()


def label_of(user) -> str:
    """姓名（单位·职务） for a person picker: the name with what tells two namesakes apart."""
    name = name_of(user)
    profile = getattr(user, "profile", None)
    if profile is None:
        return name
    # The unit only when it was read with the person (select_related("profile__unit")): a picker
    # of a hundred people must not make a query per name.
    unit = profile.unit.name if profile.unit_id and type(profile).unit.is_cached(profile) else ""
    details = "·".join(part for part in (unit, profile.title) if part)
    return f"{name}（{details}）" if details else name
