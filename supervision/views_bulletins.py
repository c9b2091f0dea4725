"""Bulletins: the list, drafting one for any period, the page, publishing, the print view and the
.xlsx/.docx downloads. Everything shown comes from the bulletin's frozen snapshot."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import reporting
from campaign.access import is_supervisor, may_supervise, visible_campaigns
from campaign.people import name_of as person
from core.dates import local_date
from core.forms import add_service_errors
from projects.figures import report_period

from . import bulletins as bulletin_service
from . import exports
from .forms import BulletinForm
from .models import Bulletin
from .views_common import pick_campaign, refuse_unless_supervises, refused, supervisor_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def readable_bulletins(user):
    """Published bulletins of the campaigns the user can see; drafts for the supervision group."""
    qs = Bulletin.objects.filter(campaign__in=visible_campaigns(user))
    if not is_supervisor(user):
        qs = qs.filter(status=Bulletin.Status.PUBLISHED)
    return qs


def get_bulletin_for_read(user, pk) -> Bulletin:
    try:
        return readable_bulletins(user).select_related("campaign", "published_by__profile").get(pk=pk)
    except Bulletin.DoesNotExist:
        raise Http404 from None


@login_required
def bulletin_list(request):
    campaign = pick_campaign(request, required=False)
    supervisor = is_supervisor(request.user)
    rows = []
    form = None
    if campaign is not None:
        rows = (readable_bulletins(request.user).filter(campaign=campaign)
                .select_related("published_by__profile").defer("snapshot")
                .order_by("-period_end", "-pk"))
        if may_supervise(request.user, campaign):
            # On demand: the reporting week in progress, the dashboard's 本期 (the beat drafts
            # the week just closed itself).
            start, end = report_period(campaign, local_date())
            form = BulletinForm(initial={"period_start": start, "period_end": end})
    return render(request, "supervision/bulletin_list.html", {
        "campaign": campaign, "bulletins": rows, "form": form, "is_supervisor": supervisor})


@supervisor_required
@require_POST
def bulletin_generate(request):
    """Draft the bulletin of any period (or redraft a draft with fresh figures)."""
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    form = BulletinForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = bulletin_service.generate_bulletin(campaign, data["period_start"],
                                                          data["period_end"], title=data["title"])
        except bulletin_service.BulletinRefused as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bulletin drafted with the figures as of now."))
            return redirect("bulletin_detail", pk=bulletin.pk)
    rows = (Bulletin.objects.filter(campaign=campaign).select_related("published_by__profile")
            .defer("snapshot").order_by("-period_end", "-pk"))
    return render(request, "supervision/bulletin_list.html", {
        "campaign": campaign, "bulletins": rows, "form": form, "is_supervisor": True}, status=400)


def _bulletin_context(request, bulletin):
    s = bulletin.snapshot
    return {
        "bulletin": bulletin,
        "campaign": bulletin.campaign,
        "s": s,
        "headline": exports.headline_lines(s) if s else [],
        "is_supervisor": may_supervise(request.user, bulletin.campaign),
        "is_draft": bulletin.status == Bulletin.Status.DRAFT,
    }


@login_required
def bulletin_detail(request, pk):
    bulletin = get_bulletin_for_read(request.user, pk)
    return render(request, "supervision/bulletin_detail.html", _bulletin_context(request, bulletin))


@login_required
def bulletin_print(request, pk):
    """The bulletin in official form for the browser's print (A4, page numbers, 草稿 on every page
    of a draft): the words and numbers of the .docx, in Chinese whatever the page's language."""
    bulletin = get_bulletin_for_read(request.user, pk)
    context = _bulletin_context(request, bulletin)
    s = bulletin.snapshot
    if s:
        with translation.override("zh-hans"):
            context.update(_paper_context(bulletin, s))
    return render(request, "supervision/bulletin_print.html", context)


def _paper_context(bulletin, s) -> dict:
    planned, done = exports.progress_totals(s["progress"])
    return {
        "headline": exports.chinese_headline_lines(s),
        "issue_label": exports.issue_label(bulletin),
        "issuer": s.get("issuer") or bulletin.campaign.issuer,
        "issuer_short": exports.issuer_short(bulletin),
        "written_on": exports.chinese_date(exports.written_on(bulletin)),
        "period": f"{exports.chinese_date(s['period_start'])}至{exports.chinese_date(s['period_end'])}",
        "as_of": exports.chinese_date(s["as_of"]),
        "headers": exports.PROGRESS_HEADERS,
        "widths": [round(w * 100 / sum(exports.PROGRESS_CM), 1) for w in exports.PROGRESS_CM],
        "rows": [(r["health"], exports.progress_row(r)) for r in s["progress"]],
        "planned_total": exports.money(planned), "done_total": exports.money(done),
        "notice_headers": exports.NOTICE_HEADERS,
        "notice_rows": [exports.notice_row(n) for n in s["notices"]],
        "notice_sentence": exports.notice_sentence(s),
        "red_words": exports.light_words(s["red"]),
        "yellow_words": exports.light_words(s["yellow"]),
    }


@supervisor_required
@require_POST
def bulletin_regenerate(request, pk):
    bulletin = get_bulletin_for_read(request.user, pk)
    back = reverse("bulletin_detail", args=[bulletin.pk])
    if (refusal := refuse_unless_supervises(request, bulletin.campaign, back=back)) is not None:
        return refusal
    try:
        bulletin_service.generate_bulletin(bulletin.campaign, bulletin.period_start,
                                           bulletin.period_end)
    except bulletin_service.BulletinRefused as exc:
        return refused(request, " ".join(exc.messages), back=back)
    messages.success(request, _("Figures refreshed."))
    return redirect(back)


@supervisor_required
def bulletin_publish(request, pk):
    """GET: the confirmation page (who is named, who is notified); POST: publish."""
    bulletin = get_bulletin_for_read(request.user, pk)
    back = reverse("bulletin_detail", args=[bulletin.pk])
    if (refusal := refuse_unless_supervises(request, bulletin.campaign, back=back)) is not None:
        return refusal
    if request.method != "POST":
        if bulletin.status != Bulletin.Status.DRAFT:
            return redirect(back)
        readers = bulletin_service.readers_of(bulletin.campaign).select_related("profile")
        named = bulletin.criticisms.select_related("person__profile", "project")
        warning = _("A published bulletin is numbered and never changes; everyone below is "
                    "notified at once.")
        _after, until = reporting.period_bounds(bulletin.campaign, bulletin.period_start,
                                                bulletin.period_end)
        if timezone.now() < until:
            # Its figures are as of now, not of its end: what is reported later is not in it.
            warning += " " + _("This period has not ended yet (it closes %(at)s): reports sent "
                               "until then will not be in the bulletin.") % {
                "at": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")}
        return render(request, "supervision/confirm.html", {
            "campaign": bulletin.campaign,
            "title": _("Publish the bulletin"),
            "action": reverse("bulletin_publish", args=[bulletin.pk]),
            "cancel": back, "submit": _("Publish and notify everyone"),
            "warning": warning,
            "details": [(_("Bulletin"), bulletin.title)],
            "named": [f"{person(c.person)}（{c.project}）" for c in named],
            "notified": sorted(person(u) for u in readers),
        })
    try:
        bulletin_service.publish_bulletin(bulletin, request.user)
    except bulletin_service.BulletinRefused as exc:
        return refused(request, " ".join(exc.messages), back=back)
    messages.success(request, _("Bulletin published: everyone in the campaign has been notified."))
    return redirect(back)


def _filename(bulletin, ext):
    """湖南镇百日攻坚通报第3期.docx; a draft is named by its period (it has no 期 yet)."""
    return f"{exports.document_name(bulletin)}.{ext}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 5987 filename*: the Chinese name, with an ASCII fallback for old clients.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def bulletin_xlsx(request, pk):
    bulletin = get_bulletin_for_read(request.user, pk)
    return _download(exports.bulletin_xlsx(bulletin), XLSX, _filename(bulletin, "xlsx"))


@login_required
def bulletin_docx(request, pk):
    bulletin = get_bulletin_for_read(request.user, pk)
    return _download(exports.bulletin_docx(bulletin), DOCX, _filename(bulletin, "docx"))

