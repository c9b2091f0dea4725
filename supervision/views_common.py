"""What every workbench view shares: the campaign being looked at, people's names, refusals."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from campaign.access import is_supervisor, visible_campaigns
from campaign.models import Campaign


def pick_campaign(request, *, required: bool = True) -> Campaign | None:
    """The campaign named by ?campaign= (404 when the user may not see it), else the newest active
    one the user can see, else the newest; None (or 404 when required) when there is none."""
    campaigns = visible_campaigns(request.user).select_related("unit")
    pk = request.GET.get("campaign") or request.POST.get("campaign")
    campaign = None
    if pk:
        try:
            campaign = campaigns.get(pk=int(pk))
        except (ValueError, Campaign.DoesNotExist):
            raise Http404 from None
    else:
        campaign = (campaigns.filter(status=Campaign.Status.ACTIVE).order_by("-start_date").first()
                    or campaigns.order_by("-start_date").first())
    if campaign is None and required:
        raise Http404
    return campaign


def person(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.full_name if profile else user.get_username()


def refused(request, reason, *, back: str = ""):
    """A refused step: 403 with the reason shown."""
    return render(request, "supervision/refused.html", {"reason": reason, "back": back}, status=403)


def today():
    return timezone.localdate()


def workbench_context(request, campaign) -> dict:
    return {"campaign": campaign, "is_supervisor": is_supervisor(request.user), "today": today()}


def supervisor_required(view):
    """Login, then the supervision group's powers; anyone else gets a 403 that says why."""
    import functools

    from django.contrib.auth.decorators import login_required
    from django.utils.translation import gettext as _

    from campaign.access import log

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_supervisor(request.user):
            log.warning("refused supervision user=%s view=%s", request.user.pk, view.__name__)
            return refused(request, _("Only the supervision group can do this."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)
