from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from web.auth import AdminLoginForm, PasswordChange
from web.views_login import LoginView

admin.site.site_header = _("Gongjian · hundred-day campaign")
admin.site.site_title = _("Gongjian")
admin.site.index_title = _("Operators")


def operators_only(request) -> bool:
    """Only active superusers (the operators) sign in to the admin; a role user, even one marked
    staff, is sent to the admin's login page. Setup is done in the app (/setup/), in its scope."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = operators_only
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's login with "记住我" (web.views_login); the other auth pages as Django has them.
    path("accounts/login/", LoginView.as_view(), name="login"),
    # Before Django's own: changing a temporary password clears the office's flag.
    path("accounts/password_change/", PasswordChange.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", include("projects.urls")),
    path("setup/", include("campaign.urls")),
    path("setup/", include("projects.urls_setup")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("supervision.notification_urls")),
    path("", include("web.urls")),
]
# A refused request (too large, malformed) gets the site's page in the user's language.
handler400 = "web.errors.bad_request"

# No MEDIA_URL route, even with DEBUG: uploads are behind login, served by views that check the
# user may read them (projects.views_photos, supervision's evidence_file).
