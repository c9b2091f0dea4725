from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")

    def ready(self):
        # Imported here: roles reads the auth models, which are not loaded when apps.py is.
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="campaign.ensure_role_groups")
