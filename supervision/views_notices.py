"""Notice pages: the list (a leader's own page of notices), drafting by hand, the lifecycle page
with one form per step the user may take, the printable 督办单 and the evidence files."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from campaign import once
from campaign.access import has_role, is_supervisor, may_supervise
from campaign.models import Role
from campaign.people import name_of as person
from core.dates import local_date
from core.forms import add_service_errors
from projects.access import visible_projects
from projects.views_photos import readable_photo, serve_photo

from . import notices as notice_service
from .forms import (
    CloseForm,
    EmptyForm,
    IssueForm,
    NoticeDraftForm,
    NoticeEditForm,
    RespondForm,
    ReturnForm,
    UrgeForm,
)
from .models import Evidence, FindingPhoto, Flag, Notice, ResponsePhoto
from .views_common import pick_campaign, refuse_unless_supervises, refused, supervisor_required

STEP_FORMS = {
    "issue": IssueForm,
    "acknowledge": EmptyForm,
    "respond": RespondForm,
    "return": ReturnForm,
    "close": CloseForm,
    "delete": EmptyForm,
    "urge": UrgeForm,
}
#: The image formats Pillow verifies before a file is shown inline rather than downloaded.
INLINE_IMAGES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def readable_notices(user):
    """Notices the user may read: the supervision group all of visible campaigns; everyone else
    the issued ones (never drafts) of the projects they can see."""
    qs = Notice.objects.filter(project__in=visible_projects(user))
    if not is_supervisor(user):
        qs = qs.exclude(status=Notice.Status.DRAFT)
    return qs


def get_notice_for_read(user, pk) -> Notice:
    try:
        return readable_notices(user).select_related(
            "project__leader__profile", "campaign", "issued_to__profile", "created_by__profile",
        ).get(pk=pk)
    except Notice.DoesNotExist:
        raise Http404 from None


def _with_overdue_first(qs, as_of):
    return qs.annotate(overdue_rank=Case(
        When(status__in=Notice.AWAITING_RESPONSE, respond_by__lt=as_of, then=Value(0)),
        default=Value(1), output_field=IntegerField(),
    )).order_by("overdue_rank", "respond_by", "-created_at")


@login_required
def notice_list(request):
    """The supervision group's register of notices, or a leader's own notices to answer."""
    supervisor = is_supervisor(request.user)
    campaign = pick_campaign(request, required=False)
    qs = readable_notices(request.user).select_related("project", "campaign",
                                                       "issued_to__profile")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    mine = not supervisor and not has_role(request.user, Role.OBSERVER)
    if mine or request.GET.get("mine"):
        qs = qs.filter(Q(issued_to=request.user) | Q(project__leader=request.user)
                       | Q(project__assignments__user=request.user)).distinct()
    status = request.GET.get("status", "")
    if status in Notice.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("project"):
        qs = qs.filter(project_id=request.GET["project"]) if request.GET["project"].isdigit() else qs
    as_of = local_date()
    rows = list(_with_overdue_first(qs, as_of))
    for n in rows:
        n.overdue = n.is_overdue(as_of)
        n.allowed = notice_service.allowed_steps(n, request.user)
    return render(request, "supervision/notice_list.html", {
        "campaign": campaign, "notices": rows, "statuses": Notice.Status.choices, "status": status,
        "mine": mine, "today": as_of,
        "is_supervisor": supervisor and (campaign is None or may_supervise(request.user, campaign)),
    })


@supervisor_required
def notice_new(request):
    """Draft a notice by hand (from the overview's flags or a project)."""
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    projects = visible_projects(request.user).filter(campaign=campaign).select_related("leader")
    flags = Flag.objects.filter(project__campaign=campaign, resolved_at__isnull=True).select_related(
        "project")
    initial = {}
    if request.method == "GET":
        project_id = request.GET.get("project", "")
        if project_id.isdigit():
            initial["project"] = int(project_id)
            open_flags = [f for f in flags if f.project_id == int(project_id)]
            initial["flags"] = [f.pk for f in open_flags]
            if open_flags:
                initial["reason"] = "；".join(notice_service.flag_sentence(f) for f in open_flags)
    form = NoticeDraftForm(request.POST or None, projects=projects, flags=flags, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = once.submit(request, form, lambda: notice_service.create_draft_notice(
                form.cleaned_data["project"], form.cleaned_data["flags"],
                reason=form.cleaned_data["reason"],
                required_action=form.cleaned_data["required_action"], created_by=request.user),
                lambda notice: reverse("notice_detail", args=[notice.pk]))
        except notice_service.NoticeStepRefused as exc:
            return refused(request, exc.message)
        if outcome is not None:
            return once.respond(request, outcome, _("Draft notice saved: review it and issue it."))
    return render(request, "supervision/notice_new.html", {"form": form, "campaign": campaign})


def _detail_context(request, notice, forms=None):
    steps = notice_service.allowed_steps(notice, request.user)
    forms = forms or {}
    # A returned notice: why, above the form to answer again, which starts from the last answer.
    returned = (notice_service.return_comments([notice]).get(notice.pk)
                if notice.status == Notice.Status.RETURNED else None)
    last = notice.responses.order_by("-responded_at", "-pk").first() if returned is not None else None
    initial = {"respond": {"measures": last.measures}} if last is not None else {}
    step_forms = {step: forms.get(step) or STEP_FORMS[step](prefix=step, initial=initial.get(step))
                  for step in steps}
    manage = notice_service.allowed_manage_steps(notice, request.user)
    manage_forms = {step: forms.get(step) or STEP_FORMS[step](prefix=step)
                    for step in manage if step in STEP_FORMS}
    as_of = local_date()
    responses = list(notice.responses.select_related("responded_by__profile")
                     .prefetch_related("evidence", Prefetch(
                         "photos", queryset=ResponsePhoto.objects.order_by("pk"))))
    return {
        "notice": notice,
        "campaign": notice.campaign,
        # A notice made from a spot check's finding shows what was found.
        "finding_photos": FindingPhoto.objects.filter(finding__notice=notice).order_by("pk"),
        "flags": notice.flags.all(),
        "events": notice.events.select_related("actor__profile"),
        "responses": responses,
        "step_forms": step_forms,
        "returned_because": returned,
        "manage_forms": manage_forms,
        "may_edit": "edit" in manage,
        "overdue": notice.is_overdue(as_of),
        "days_overdue": (as_of - notice.respond_by).days if notice.is_overdue(as_of) else 0,
        "is_supervisor": is_supervisor(request.user),
        "leader_name": person(notice.issued_to),
    }


@login_required
def notice_detail(request, pk):
    notice = get_notice_for_read(request.user, pk)
    return render(request, "supervision/notice_detail.html", _detail_context(request, notice))


@login_required
@require_POST
def notice_step(request, pk, step):
    """One step of the lifecycle; a step the user's role or the notice's state refuses is a 403
    that says why."""
    if step not in STEP_FORMS:
        raise Http404
    notice = get_notice_for_read(request.user, pk)
    back = reverse("notice_detail", args=[notice.pk])
    reason = notice_service.refusal(step, notice, request.user)
    if reason is not None:
        return refused(request, reason, back=back)
    form = STEP_FORMS[step](request.POST, request.FILES, prefix=step)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "issue":
                notice_service.issue_notice(notice, request.user, respond_by=data.get("respond_by"))
            elif step == "acknowledge":
                notice_service.acknowledge_notice(notice, request.user)
            elif step == "respond":
                notice_service.respond_to_notice(notice, request.user, data["measures"],
                                                 files=data["files"])
            elif step == "return":
                notice_service.return_notice(notice, request.user, data["comment"])
            elif step == "close":
                notice_service.close_notice(notice, request.user, data.get("comment", ""))
            elif step == "urge":
                notice_service.urge_notice(notice, request.user, data["note"])
            else:
                project_id = notice.project_id
                notice_service.delete_draft_notice(notice, request.user)
                messages.success(request, _("Draft notice deleted."))
                return redirect(reverse("notice_list") + f"?project={project_id}")
        except notice_service.NoticeStepRefused as exc:
            return refused(request, exc.message, back=back)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, {
                "issue": _("Notice issued to the leader."),
                "acknowledge": _("Notice acknowledged."),
                "respond": _("Response sent to the supervision group."),
                "return": _("Response returned to the leader."),
                "close": _("Notice closed."),
                "urge": _("The leader has been urged."),
            }[step])
            return redirect(back)
    notice = get_notice_for_read(request.user, pk)
    return render(request, "supervision/notice_detail.html",
                  _detail_context(request, notice, {step: form}), status=400)


@supervisor_required
def notice_edit(request, pk):
    """Correct a draft's reason and required action before it is issued."""
    notice = get_notice_for_read(request.user, pk)
    back = reverse("notice_detail", args=[notice.pk])
    reason = notice_service.refusal("edit", notice, request.user)
    if reason is not None:
        return refused(request, reason, back=back)
    form = NoticeEditForm(request.POST or None, initial={
        "reason": notice.reason, "required_action": notice.required_action})
    if request.method == "POST" and form.is_valid():
        try:
            notice_service.edit_draft_notice(
                notice, request.user, reason=form.cleaned_data["reason"],
                required_action=form.cleaned_data["required_action"])
        except notice_service.NoticeStepRefused as exc:
            return refused(request, exc.message, back=back)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft notice saved."))
            return redirect(back)
    return render(request, "supervision/notice_edit.html",
                  {"form": form, "notice": notice, "campaign": notice.campaign},
                  status=400 if form.is_bound else 200)


#: Ruled lines of the 回执 on the printed 督办单 (the whole form stays on one A4 page).
NOTICE_REPLY_LINES = 6


@login_required
def notice_print(request, pk):
    """The printable 督办单 in the official layout."""
    notice = get_notice_for_read(request.user, pk)
    if notice.status == Notice.Status.DRAFT:
        raise Http404
    profile = getattr(notice.issued_to, "profile", None)
    return render(request, "supervision/notice_print.html", {
        "notice": notice, "leader_name": person(notice.issued_to),
        "leader_title": profile.title if profile else "",
        "flags": notice.flags.all(),
        # The 回执's ruled lines to write the reply on: as many as one A4 page keeps.
        "reply_lines": range(NOTICE_REPLY_LINES),
    })


def serve_checked_file(field_file, download_name: str):
    """A stored upload behind login: an image Pillow verifies is shown inline with its own type;
    anything else is an attachment of a neutral type. Never sniffed by the browser."""
    content_type = None
    try:
        with field_file.open("rb") as fh, Image.open(fh) as img:
            fmt = img.format
            img.verify()
        content_type = INLINE_IMAGES.get(fmt)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        content_type = None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on a crafted file; treat as not an image
        content_type = None
    inline = content_type is not None
    if not inline:
        guessed = mimetypes.guess_type(download_name)[0]
        content_type = guessed if guessed in {"application/pdf"} else "application/octet-stream"
    response = FileResponse(field_file.open("rb"), as_attachment=not inline, filename=download_name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("response__notice"), pk=pk)
    if not readable_notices(request.user).filter(pk=evidence.response.notice_id).exists():
        raise Http404
    try:
        return serve_checked_file(evidence.file, evidence.display_name)
    except FileNotFoundError:
        raise Http404 from None


@login_required
def response_photo(request, pk, size="screen"):
    """A photo given as evidence, to those who may read its notice (the same rule as its page)."""
    return serve_photo(readable_photo(request.user, ResponsePhoto.objects.filter(
        response__notice__in=readable_notices(request.user)), pk, "response_photo"), size)
