"""The bell in the header: the unread notification count of the signed-in user; a form typed
before signing in, to fill in again (web.middleware.KeepFormAcrossSignInMiddleware)."""

from django.utils.functional import SimpleLazyObject


def notifications(request):
    """`unread_notifications`: read with the user from the shared cache (web.auth.UserBackend),
    else counted only when a template reads it (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    cached = getattr(user, "_gongjian_unread", None)
    if cached is not None:
        return {"unread_notifications": cached}
    return {"unread_notifications": SimpleLazyObject(
        lambda: user.notifications.filter(read_at__isnull=True).count())}


def restored_form(request):
    """`restored_form`: {path, fields} to fill the page's form with (base.html, gongjian.js)."""
    return {"restored_form": getattr(request, "restored_form", None)}
