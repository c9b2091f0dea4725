from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from campaign import views
from campaign.health import healthz, robots_txt

admin.site.site_header = _("Gongjian · hundred-day campaign")
admin.site.site_title = _("Gongjian")
admin.site.index_title = _("Campaign office")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", include("projects.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("supervision.notification_urls")),
    path("wall/", views.wall, name="dashboard_wall"),
    path("export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("", views.dashboard, name="dashboard"),
]
# No MEDIA_URL route, even with DEBUG: uploads are behind login, served by views that check the
# user may read them (projects.views.report_photo, supervision's evidence_file).
