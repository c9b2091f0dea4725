"""What every workbench view shares: the campaign being looked at, today, refusals."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import Campaign, Role


def pick_campaign(request, *, required: bool = True) -> Campaign | None:
    """The campaign of the request (campaign.access.pick_campaign); a 404 when there is none."""
    return access.pick_campaign(request, required=required)[0]


def refused(request, reason, *, back: str = ""):
    """A refused step: 403 with the reason shown."""
    return render(request, "supervision/refused.html", {"reason": reason, "back": back}, status=403)


def refuse_unless_supervises(request, campaign, *, back: str = ""):
    """None when the user supervises this campaign (access.may_supervise: of its own town), else
    the 403 that says why — a town's group reads the county's campaign but does not write to it."""
    if access.may_supervise(request.user, campaign):
        return None
    access.log.warning("refused write user=%s campaign=%s", request.user.pk, campaign.pk)
    return refused(request, _("Only the supervision group of this campaign's own town can do "
                              "this."), back=back)


def supervisor_required(view):
    """Login, then the supervision group's powers; anyone else gets a 403 that says why."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.is_supervisor(request.user):
            access.log.warning("refused supervision user=%s view=%s", request.user.pk, view.__name__)
            return refused(request, _("Only the supervision group can do this."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def supervision_reader_required(view):
    """Login, then the supervision group's powers or the higher office's reading (observer): the
    pages that only show (overview, criticism list); their buttons are the supervisors' alone."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (access.is_supervisor(request.user) or access.has_role(request.user, Role.OBSERVER)):
            access.log.warning("refused supervision user=%s view=%s", request.user.pk, view.__name__)
            return refused(request, _("Only the supervision group and the higher office can see this."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)
