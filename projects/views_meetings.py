"""Meetings (专题会, 现场调研) and their action items (定人定时定责).

Everyone of the campaign reads them. The campaign office and the leaders hold meetings; the chair
(or the campaign office) edits a meeting and its items; an item's owner, the chair or the
campaign office marks it done.
"""

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaign import access, once
from campaign.access import pick_campaign
from campaign.models import Role
from core.dates import local_date
from core.forms import apply_service

from . import services
from .forms import ActionItemForm, CompleteActionItemForm, MeetingForm
from .models import ActionItem, Meeting

log = logging.getLogger("gongjian.access")


def may_hold_meetings(user, campaign=None) -> bool:
    """The office and the leaders hold meetings, in a campaign of their own town."""
    return access.has_role(user, Role.TOWN_ADMIN, Role.LEADER) and (
        campaign is None or access.may_write_campaign(user, campaign))


def may_edit_meeting(user, meeting) -> bool:
    return meeting.chaired_by_id == user.pk or access.may_administer(user, meeting.campaign)


def _meeting_for_read(user, pk) -> Meeting:
    meeting = (Meeting.objects.filter(pk=pk, campaign__in=access.visible_campaigns(user))
               .select_related("campaign", "chaired_by__profile").first())
    if meeting is None:
        log.warning("refused read user=%s meeting=%s", user.pk, pk)
        raise Http404
    return meeting


def _meeting_for_write(user, pk) -> Meeting:
    meeting = _meeting_for_read(user, pk)
    if not may_edit_meeting(user, meeting):
        log.warning("refused write user=%s meeting=%s", user.pk, pk)
        raise PermissionDenied
    return meeting


def _people_of(campaign):
    """Who can own an action item: the people of the campaign's town and its villages."""
    return (get_user_model().objects.filter(is_active=True,
                                            profile__unit_id__in=campaign.unit.descendant_ids())
            .select_related("profile").order_by("profile__full_name"))


def _render_form(request, form, title, submit, back_url, meeting=None):
    return render(request, "projects/meeting_form.html", {
        "form": form, "title": title, "submit": submit, "back_url": back_url, "meeting": meeting})


@login_required
def meeting_list(request):
    campaign, campaigns = pick_campaign(request)
    meetings = []
    if campaign is not None:
        meetings = list(Meeting.objects.filter(campaign=campaign)
                        .select_related("chaired_by__profile").prefetch_related("projects",
                                                                                "action_items"))
    return render(request, "projects/meeting_list.html", {
        "campaign": campaign, "campaigns": campaigns, "meetings": meetings,
        "may_hold": may_hold_meetings(request.user, campaign), "as_of": local_date(),
    })


@login_required
def meeting_create(request):
    campaign, _campaigns = pick_campaign(request)
    if campaign is None:
        raise Http404
    if not may_hold_meetings(request.user, campaign):
        log.warning("refused write user=%s meeting=new", request.user.pk)
        raise PermissionDenied
    form = MeetingForm(request.POST or None, campaign=campaign,
                       initial={"held_on": local_date()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        projects = data.pop("projects")
        outcome = once.submit(request, form, lambda: services.create_meeting(
            campaign, request.user, projects=projects, **data),
            lambda meeting: reverse("meeting_detail", args=[meeting.pk]))
        if outcome is not None:
            return once.respond(request, outcome, _("Meeting recorded; now add its action items."))
    return _render_form(request, form, _("New meeting or site visit"), _("Save"),
                        redirect("meeting_list").url)


@login_required
def meeting_detail(request, pk):
    meeting = _meeting_for_read(request.user, pk)
    items = list(meeting.action_items.select_related("owner__profile", "project").order_by(
        "done_on", "due_date"))
    user = request.user
    can_edit = may_edit_meeting(user, meeting)
    for item in items:
        item.can_complete = item.done_on is None and (can_edit or item.owner_id == user.pk)
    return render(request, "projects/meeting_detail.html", {
        "meeting": meeting, "items": items, "can_edit": can_edit,
        "projects": list(meeting.projects.order_by("code")), "as_of": local_date(),
    })


@login_required
def meeting_update(request, pk):
    meeting = _meeting_for_write(request.user, pk)
    form = MeetingForm(request.POST or None, instance=meeting, campaign=meeting.campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        projects = data.pop("projects")
        fresh = Meeting.objects.get(pk=meeting.pk)
        if apply_service(form, lambda: services.update_meeting(fresh, request.user, projects=projects,
                                                        **data)) is not None:
            messages.success(request, _("Meeting updated."))
            return redirect("meeting_detail", pk=meeting.pk)
    return _render_form(request, form, _("Edit meeting"), _("Save"),
                        redirect("meeting_detail", pk=pk).url, meeting)


@login_required
def action_item_create(request, pk):
    meeting = _meeting_for_write(request.user, pk)
    form = ActionItemForm(request.POST or None, campaign=meeting.campaign,
                          people=_people_of(meeting.campaign))
    if request.method == "POST" and form.is_valid() and (outcome := once.submit(
            request, form, lambda: services.add_action_item(meeting, request.user, **form.cleaned_data),
            lambda _item: reverse("meeting_detail", args=[meeting.pk]))):
        return once.respond(request, outcome, _("Action item added."))
    return _render_form(request, form, _("New action item"), _("Add"),
                        redirect("meeting_detail", pk=pk).url, meeting)


def _item(user, pk) -> ActionItem:
    item = (ActionItem.objects.filter(pk=pk, meeting__campaign__in=access.visible_campaigns(user))
            .select_related("meeting__campaign__unit").first())
    if item is None:
        log.warning("refused read user=%s action_item=%s", user.pk, pk)
        raise Http404
    return item


@login_required
def action_item_update(request, pk):
    item = _item(request.user, pk)
    if not may_edit_meeting(request.user, item.meeting):
        log.warning("refused write user=%s action_item=%s", request.user.pk, pk)
        raise PermissionDenied
    campaign = item.meeting.campaign
    form = ActionItemForm(request.POST or None, instance=item, campaign=campaign,
                          people=_people_of(campaign))
    if request.method == "POST" and form.is_valid():
        fresh = ActionItem.objects.get(pk=item.pk)
        if apply_service(form, lambda: services.update_action_item(fresh, request.user,
                                                            **form.cleaned_data)):
            messages.success(request, _("Action item updated."))
            return redirect("meeting_detail", pk=item.meeting_id)
    return _render_form(request, form, _("Edit action item"), _("Save"),
                        redirect("meeting_detail", pk=item.meeting_id).url, item.meeting)


@login_required
def action_item_complete(request, pk):
    item = _item(request.user, pk)
    if not (may_edit_meeting(request.user, item.meeting) or item.owner_id == request.user.pk):
        log.warning("refused write user=%s action_item=%s", request.user.pk, pk)
        raise PermissionDenied
    form = CompleteActionItemForm(request.POST or None, initial={"done_on": local_date()})
    if request.method == "POST" and form.is_valid() and apply_service(
            form, lambda: services.complete_action_item(item, request.user, **form.cleaned_data)):
        messages.success(request, _("Action item done (closed out)."))
        return redirect("meeting_detail", pk=item.meeting_id)
    return _render_form(request, form, _("Close out action item: %(text)s") % {
        "text": item.description[:40]}, pgettext("button", "Done"),
        redirect("meeting_detail", pk=item.meeting_id).url, item.meeting)
