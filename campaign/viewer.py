"""Kept for one release (0.2): the dotted path of the login backend that sessions made before
the web/ package store (settings.AUTHENTICATION_BACKENDS lists it, so they stay valid).

It authenticates nobody; it only reads a session's user, as web.auth.UserBackend does."""

from django.contrib.auth.backends import ModelBackend


class CachedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None
