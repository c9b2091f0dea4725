"""Wall links: the campaign office makes and revokes read-only links to a campaign's wall, and a
hall's screen opens the wall by its link, without signing in (web.models.WallLink).

The token grants that campaign's wall and nothing else: no session is made, so every other
address asks the screen to log in; a revoked or unknown token is a 404.
"""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campaign import access
from core.links import absolute

from . import services
from .models import WallLink
from .views import render_wall

log = logging.getLogger("gongjian.access")


class WallLinkForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Where it is shown"), max_length=100,
                            help_text=gettext_lazy("For example: the screen in the town hall lobby."))


def _check_may_manage(user, campaign) -> None:
    """Wall links are the campaign office's, of the campaign's own town: 404 for a campaign the
    user may not read, 403 for one they may read but not manage (both logged)."""
    if not access.may_read_campaign(user, campaign):
        log.warning("refused read user=%s campaign=%s", user.pk, campaign.pk)
        raise Http404
    unit_id = getattr(getattr(user, "profile", None), "unit_id", None)
    if not (access.is_town_admin(user) and (user.is_superuser or unit_id == campaign.unit_id)):
        log.warning("refused write user=%s wall-links campaign=%s", user.pk, campaign.pk)
        raise PermissionDenied


def get_campaign_for_wall_links(request):
    """The campaign (?campaign=, else the current one) whose wall links the user manages."""
    campaign, _campaigns = access.pick_campaign(request, required=True)
    _check_may_manage(request.user, campaign)
    return campaign


def _full_address(request, path: str) -> str:
    """Under SITE_URL when it is set (behind a proxy), else as the request came in."""
    url = absolute(path)
    return url if url != path else request.build_absolute_uri(path)


@login_required
def wall_links(request):
    """The campaign's wall links: make one (its address is shown once), revoke one."""
    campaign = get_campaign_for_wall_links(request)
    form = WallLinkForm(request.POST or None)
    new_url = None
    if request.method == "POST" and form.is_valid():
        _link, token = services.create_wall_link(campaign, request.user, label=form.cleaned_data["label"])
        new_url = _full_address(request, reverse("wall_by_link", args=[token]))
        form = WallLinkForm()
    return render(request, "web/wall_links.html", {
        "campaign": campaign, "form": form, "new_url": new_url,
        "links": list(campaign.wall_links.select_related("created_by__profile")),
    })


@login_required
@require_POST
def wall_link_revoke(request, pk):
    link = get_object_or_404(WallLink.objects.select_related("campaign"), pk=pk)
    campaign = link.campaign
    _check_may_manage(request.user, campaign)
    if services.revoke_wall_link(link, request.user):
        messages.success(request, _("Wall link “%(label)s” revoked: that screen no longer shows the wall.")
                         % {"label": link.label})
    return redirect(f"{reverse('wall_links')}?campaign={campaign.pk}")


@require_GET
def wall_by_link(request, token):
    """The wall of the link's campaign, for a screen that is not signed in."""
    link = services.link_of(token)
    if link is None or link.revoked_at is not None:
        log.warning("refused wall link")
        if link is not None:  # revoked: the hall's screen says why it went dark
            response = render(request, "web/wall_link_revoked.html", status=410)
            response["Referrer-Policy"] = "no-referrer"
            return response
        raise Http404
    services.note_use(link)
    response = render_wall(request, link.campaign, signed_in=False)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
