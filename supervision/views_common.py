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
