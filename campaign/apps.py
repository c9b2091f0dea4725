from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")

    def ready(self):
        from . import cache, viewer
        from .roles import grant_role_permissions

        post_migrate.connect(grant_role_permissions, dispatch_uid="campaign.grant_role_permissions")
        # Every process that writes (web, worker, shell, admin) drops cached figures on commit.
        cache.connect()
        # … and the signed-in user's cached header state (campaign.viewer).
        viewer.connect()
