"""Criticism (通报批评) and highlights (宣传): the two kinds of record a bulletin lists besides the
figures."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import once
from campaign.access import is_supervisor, may_supervise, visible_campaigns
from campaign.people import name_of as person
from projects.access import visible_projects
from projects.models import Highlight

from . import criticism as criticism_service
from . import highlights as highlight_service
from .forms import CriticismForm, HighlightForm
from .models import Criticism
from .views_common import (
    pick_campaign,
    refuse_unless_supervises,
    supervision_reader_required,
    supervisor_required,
)
from .views_notices import serve_checked_file


def _projects(request, campaign):
    return visible_projects(request.user).filter(campaign=campaign).select_related(
        "leader").order_by("code")


def _people(campaign):
    """Leaders and team members of the campaign's projects."""
    return (get_user_model().objects.filter(
        Q(led_projects__campaign=campaign) | Q(assignments__project__campaign=campaign))
        .select_related("profile__unit").distinct().order_by("profile__full_name", "username"))


@supervision_reader_required
def criticism_list(request):
    """Criticism of the campaign; the higher office (observer) reads the confirmed ones only (a
    draft names an official before anyone has decided)."""
    campaign = pick_campaign(request, required=False)
    supervisor = is_supervisor(request.user)
    rows = []
    if campaign is not None:
        rows = (Criticism.objects.filter(campaign=campaign)
                .filter(**({} if supervisor else {"status": Criticism.Status.CONFIRMED}))
                .select_related("project", "person__profile", "notice", "confirmed_by__profile")
                .annotate(published=criticism_service.in_published_bulletin())
                .order_by("status", "-created_at"))
    return render(request, "supervision/criticism_list.html", {
        "campaign": campaign, "criticisms": rows, "is_supervisor": supervisor})


@supervisor_required
def criticism_new(request):
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    form = CriticismForm(request.POST or None, projects=_projects(request, campaign),
                         people=_people(campaign))
    if request.method == "POST" and form.is_valid():
        project = form.cleaned_data["project"]
        outcome = once.submit(request, form, lambda: criticism_service.draft_criticism(
            project, person=form.cleaned_data["person"] or project.leader,
            reason=form.cleaned_data["reason"]),
            lambda _criticism: f"{_url('criticism_list')}?campaign={campaign.pk}")
        if outcome is not None:
            return once.respond(request, outcome,
                                _("Draft criticism saved: confirm it to list it in the next bulletin."))
    return render(request, "supervision/criticism_new.html", {
        "form": form, "campaign": campaign, "is_supervisor": True})


def _url(name):
    return reverse(name)


def _get_criticism(user, pk) -> Criticism:
    try:
        return Criticism.objects.select_related("campaign").get(
            pk=pk, campaign__in=visible_campaigns(user))
    except Criticism.DoesNotExist:
        raise Http404 from None


@supervisor_required
def criticism_confirm(request, pk):
    """GET: the confirmation page, which says who will be named and where; POST: confirm."""
    criticism = _get_criticism(request.user, pk)
    if (refusal := refuse_unless_supervises(request, criticism.campaign)) is not None:
        return refusal
    if request.method != "POST":
        if criticism.status != Criticism.Status.DRAFT:
            return redirect(f"{_url('criticism_list')}?campaign={criticism.campaign_id}")
        return render(request, "supervision/confirm.html", {
            "campaign": criticism.campaign,
            "title": _("Confirm the criticism"),
            "action": reverse("criticism_confirm", args=[criticism.pk]),
            "cancel": f"{_url('criticism_list')}?campaign={criticism.campaign_id}",
            "submit": _("Confirm the criticism"),
            "warning": _("Once confirmed, the criticism is listed in the next bulletin, which "
                         "everyone in the campaign and the higher office read. It cannot be "
                         "withdrawn after this."),
            "named": [person(criticism.person)],
            "details": [(_("Project"), str(criticism.project)), (_("Reason"), criticism.reason)],
        })
    criticism_service.confirm_criticism(criticism, request.user)
    messages.success(request, _("Criticism confirmed: it will be listed in the next bulletin."))
    return redirect(f"{_url('criticism_list')}?campaign={criticism.campaign_id}")


@supervisor_required
@require_POST
def criticism_withdraw(request, pk):
    criticism = _get_criticism(request.user, pk)
    if (refusal := refuse_unless_supervises(request, criticism.campaign)) is not None:
        return refusal
    campaign_id = criticism.campaign_id
    try:
        criticism_service.withdraw_criticism(criticism, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Draft criticism withdrawn."))
    return redirect(f"{_url('criticism_list')}?campaign={campaign_id}")


# --- Highlights ---------------------------------------------------------------------------------


@login_required
def highlight_list(request):
    """Everyone who can see the campaign may read its highlights; the group writes them."""
    campaign = pick_campaign(request, required=False)
    rows = []
    if campaign is not None:
        rows = (Highlight.objects.filter(campaign=campaign).select_related("project", "created_by__profile")
                .annotate(published=highlight_service.in_published_bulletin())
                .order_by("-created_at"))
    return render(request, "supervision/highlight_list.html", {
        "campaign": campaign, "highlights": rows,
        "is_supervisor": campaign is not None and may_supervise(request.user, campaign)})


@supervisor_required
def highlight_new(request):
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    form = HighlightForm(request.POST or None, request.FILES or None,
                         projects=_projects(request, campaign))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = once.submit(request, form, lambda: highlight_service.create_highlight(
            campaign, kind=data["kind"], title=data["title"], body=data["body"],
            project=data.get("project"), person_name=data.get("person_name", ""),
            photo=data.get("photo"), created_by=request.user),
            lambda _highlight: f"{_url('highlight_list')}?campaign={campaign.pk}")
        if outcome is not None:
            return once.respond(request, outcome,
                                _("Highlight saved: it will be listed in the next bulletin."))
    return render(request, "supervision/highlight_new.html", {
        "form": form, "campaign": campaign, "is_supervisor": True})


@login_required
def highlight_photo(request, pk):
    try:
        highlight = Highlight.objects.get(pk=pk, campaign__in=visible_campaigns(request.user))
    except Highlight.DoesNotExist:
        raise Http404 from None
    if not highlight.photo:
        raise Http404
    try:
        return serve_checked_file(highlight.photo, os.path.basename(highlight.photo.name))
    except FileNotFoundError:
        raise Http404 from None
