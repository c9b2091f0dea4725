from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from web.auth import AdminLoginForm, LoginForm

admin.site.site_header = _("Gongjian · hundred-day campaign")
admin.site.site_title = _("Gongjian")
admin.site.index_title = _("Campaign office")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", include("projects.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("supervision.notification_urls")),
    path("", include("web.urls")),
]
# A refused request (too large, malformed) gets the site's page in the user's language.
handler400 = "web.errors.bad_request"

# No MEDIA_URL route, even with DEBUG: uploads are behind login, served by views that check the
# user may read them (projects.views.report_photo, supervision's evidence_file).
