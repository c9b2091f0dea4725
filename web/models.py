"""Wall links: a revocable read-only address for a campaign's wall display on the hall's screen.

The screen logs in nobody: the link's token grants the wall of one campaign and nothing else
(no session is made). Only a hash of the token is stored; the link is shown once when made.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WallLink(models.Model):
    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="wall_links")
    label = models.CharField(_("where it is shown"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wall link")
        verbose_name_plural = _("wall links")
        ordering = ["revoked_at", "-created_at"]

    def __str__(self):
        return f"{self.campaign_id} {self.label}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
