from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        # Imported here: scanstate imports the models, which are not loaded when apps.py is.
        from . import scanstate

        scanstate.connect()
