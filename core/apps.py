from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared ground under the apps: no models; registers its lookups (core.lookups)."""

    name = "core"

    def ready(self):
        from . import lookups  # noqa: F401 — registers __in_ids on the key fields
