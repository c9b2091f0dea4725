from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from web.views_login import LoginView

admin.site.site_header = _("Gongjian · hundred-day campaign")
admin.site.site_title = _("Gongjian")
admin.site.index_title = _("Campaign office")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's login with "记住我" (web.views_login); the other auth pages as Django has them.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", include("projects.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("supervision.notification_urls")),
    path("", include("web.urls")),
]
# No MEDIA_URL route, even with DEBUG: uploads are behind login, served by views that check the
# user may read them (projects.views.report_photo, supervision's evidence_file).
