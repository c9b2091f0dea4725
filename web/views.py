"""The dashboard (作战图): the campaign's figures, its projects' table and the plan curve; a wall
display mode for the campaign office's screen; the Excel export of the table."""

import hashlib
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign.access import pick_campaign
from core import pagecache
from core.dates import local_date
from projects import figures
from projects.exports import filter_caption, progress_workbook
from projects.templatetags import gongjian
from supervision import lights, scan

log = logging.getLogger("gongjian.access")

#: ?sort= values → the row key they sort by. A leading "-" sorts descending.
SORTS = {
    "code": "code", "name": "name", "level": "level", "leader": "leader_name",
    "progress": "progress", "lag": "lag", "light": "health", "age": "report_age_days",
}
SORT_COLUMNS = [
    ("code", _("Code")), ("name", _("Project")), ("level", _("Level")), ("leader", _("Leader")),
    ("progress", _("Progress")), ("lag", _("Lag")), ("light", _("Light")),
    ("age", _("Last report")),
]
HEALTH_RANK = {h.value: i for i, h in enumerate(figures.HEALTH_ORDER)}
#: The wall refreshes itself this often (seconds); ?refresh= between 30 and 3600 overrides it.
WALL_REFRESH_SECONDS = 300
#: A list longer than the screen is shown a page at a time, this many seconds a page (static JS).
WALL_PAGE_SECONDS = 15


def _sort_key(key: str):
    if key == "health":
        return lambda row: HEALTH_RANK.get(row["health"], 99)
    if key == "report_age_days":
        return lambda row: (row[key] is None, row[key] or 0)
    return lambda row: row[key]


def filter_and_sort(rows: list[dict], params) -> tuple[list[dict], dict]:
    """The table's rows kept by ?level=, ?light=, ?leader= and ordered by ?sort=."""
    chosen = {"level": params.get("level", ""), "light": params.get("light", ""),
              "leader": params.get("leader", ""), "sort": params.get("sort", "code")}
    if chosen["level"]:
        rows = [r for r in rows if r["level"] == chosen["level"]]
    if chosen["light"]:
        rows = [r for r in rows if r["health"] == chosen["light"]]
    if chosen["leader"]:
        rows = [r for r in rows if str(r["leader_id"]) == chosen["leader"]]
    sort = chosen["sort"]
    key = SORTS.get(sort.lstrip("-"))
    if key is None:
        sort, key = "code", "code"
        chosen["sort"] = sort
    rows = sorted(rows, key=_sort_key(key), reverse=sort.startswith("-"))
    return rows, chosen


def _leaders(rows: list[dict]) -> list[tuple[int, str]]:
    """The leaders of the rows, (id, name), in the order the table by code shows them: by the
    first code of their projects (a name's code points mean nothing to a reader of Chinese)."""
    leaders: dict[int, str] = {}
    for r in sorted(rows, key=lambda r: r["code"]):
        leaders.setdefault(r["leader_id"], r["leader_name"])
    return list(leaders.items())


def _levels(rows: list[dict]) -> list[dict]:
    """The level filter's choices, {"value", "label"}: the levels of the rows in LEVEL_ORDER,
    named as the table names them (figures.level_name: 福州市级)."""
    names: dict[str, str] = {}
    for lv in figures.LEVEL_ORDER:
        for r in rows:
            if r["level"] == lv:
                names.setdefault(lv.value, r["level_label"])
    return [{"value": value, "label": label} for value, label in names.items()]


def campaign_figures(campaign, as_of) -> dict:
    """The table, the curve and the headline of the dashboard and the wall, from the shared cache
    until a write changes them (web.cache): 5 queries on a miss (figures.dashboard_figures and
    the warnings), none on a hit. ``warnings``: per project, the open warnings that make its
    light (supervision.lights)."""
    return pagecache.campaign_cached(campaign.pk, "dashboard", lambda: {
        **figures.dashboard_figures(campaign, as_of),
        "warnings": lights.warnings_by_project(campaign_id=campaign.pk),
    }, as_of)


def current_figures(campaign, as_of) -> tuple[dict, bool]:
    """campaign_figures with no light older than the figures beside it, and whether lights were
    assessed for it: when some projects were read due for review (a report just made, a deadline
    passed), those are assessed now (supervision.scan.scan_for_page) and the figures read again
    — more queries only then; the scan drops what was kept with the old lights. When another
    scan holds the campaign past a page's wait, the figures as stored (that scan's writes drop
    them)."""
    cached = campaign_figures(campaign, as_of)
    if scan.assess_for_page(((campaign.pk, pk, moment) for pk, moment
                             in cached["review_at"].items()), timezone.now()):
        return campaign_figures(campaign, as_of), True
    return cached, False


def _shown(row: dict) -> dict:
    """What the table's cells print of a row, made here once rather than by a filter or tag per
    cell (the same text: the template's own strings and filters)."""
    lag = row["lag"]
    age = row["report_age_days"]
    return {
        "url": reverse("project_detail", args=[row["pk"]]),
        "lag": gongjian.signed(lag),
        "lag_class": "gj-lag-pos" if lag > 0 else "gj-lag-neg" if lag < 0 else "",
        "plan": gettext("planned %(p)s%% on %(d)s") % {
            "p": localize(row["planned_percent"]), "d": date_format(row["measured_on"], "m-d")},
        "age": gongjian.age_days(age),
        "age_overdue": age is None or age > 7,
    }


def _dashboard_body(request, campaign, as_of, context) -> str:
    """Everything below the dashboard's header, with its figures added to context; marks the
    request (lights_assessed) when lights were assessed for it (current_figures)."""
    cached, assessed = current_figures(campaign, as_of)
    if assessed:
        request.lights_assessed = True
    all_rows = cached["table"]
    for row in all_rows:
        row["warnings"] = cached["warnings"].get(row["pk"], [])
        row["shown"] = _shown(row)
    rows, chosen = filter_and_sort(all_rows, request.GET)
    curve = cached["curve"]
    context.update({
        "figures": cached["headline"],
        "rows": rows,
        "row_count": len(all_rows),
        "chosen": chosen,
        "leaders": _leaders(all_rows),
        "levels": _levels(all_rows),
        "lights": figures.HEALTH_ORDER,
        "curve_planned": [(p["date"], p["planned"]) for p in curve["points"]],
        "curve_actual": [(p["date"], p["actual"]) for p in curve["points"]],
        "curve": curve,
        "sort_columns": SORT_COLUMNS,
        # The light counts filter the table to their light (the counts and the table are read
        # from the same figures, so they agree); not on the wall, which shares _figures.html.
        "light_links": True,
    })
    return render_to_string("campaign/_dashboard_body.html", context, request)


@login_required
def dashboard(request):
    """作战图. Queries: the session and the user (with their groups and units, see access), the
    campaigns; then, unless the body is cached, the figures (campaign_figures): 4 read once for
    the table, the curve and the headline, 1 for the warnings."""
    campaign, campaigns = pick_campaign(request)
    if campaign is None:
        return render(request, "campaign/no_campaign.html", status=200)
    as_of = local_date()
    # The whole page is kept for this reader (the header shows their campaigns and menu); the
    # body below the header is the same for every reader of the campaign with these parameters
    # (its links keep them), so it is rendered once per generation of the figures. On a hit of
    # either the figures are not read at all.
    def look():
        return pagecache.page_cached(
            request, campaign.pk, "dashboard",
            lambda extra: _dashboard_page(request, campaign, campaigns, as_of, extra), as_of)

    response = look()
    if getattr(request, "lights_assessed", False):
        # What was kept around the figures read with lights due is under versions the scan has
        # changed: rendered once more (from the figures kept anew), it is kept for a second look.
        response = look()
    return response


def _dashboard_page(request, campaign, campaigns, as_of, extra):
    context = {"campaign": campaign, "campaigns": campaigns, "as_of": as_of, **extra}
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    context["body"] = pagecache.campaign_cached(
        campaign.pk, "dashboard-body", lambda: _dashboard_body(request, campaign, as_of, context),
        as_of, query)
    return render(request, "campaign/dashboard.html", context)


@login_required
def wall(request):
    """The full-screen wall display: the same figures in large type, worst first, refreshing
    itself (static/js/gongjian.js: no meta refresh)."""
    campaign, _campaigns = pick_campaign(request)
    if campaign is None:
        return render(request, "campaign/no_campaign.html")
    return render_wall(request, campaign, signed_in=True)


def render_wall(request, campaign, *, signed_in: bool):
    """The wall of a campaign, for a signed-in user or a wall link's screen (web.views_wall)."""
    as_of = local_date()
    cached, _assessed = current_figures(campaign, as_of)
    rows = sorted(cached["table"],
                  key=lambda r: (HEALTH_RANK.get(r["health"], 99), -r["lag"], r["code"]))
    curve = cached["curve"]
    try:
        refresh = min(3600, max(30, int(request.GET.get("refresh", WALL_REFRESH_SECONDS))))
    except ValueError:
        refresh = WALL_REFRESH_SECONDS
    return render(request, "campaign/wall.html", {
        "campaign": campaign, "as_of": as_of, "rows": rows, "refresh": refresh,
        "page_seconds": WALL_PAGE_SECONDS, "signed_in": signed_in,
        "figures": cached["headline"],
        "curve_planned": [(p["date"], p["planned"]) for p in curve["points"]],
        "curve_actual": [(p["date"], p["actual"]) for p in curve["points"]],
        "curve": curve,
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def dashboard_export(request):
    """The dashboard's table (same filters and order) as .xlsx in the higher offices' form, the
    filters named in its title."""
    campaign, _campaigns = pick_campaign(request)
    if campaign is None:
        raise Http404
    as_of = local_date()
    table = figures.progress_table(campaign, as_of)
    rows, chosen = filter_and_sort(table, request.GET)
    caption = filter_caption(chosen, {str(pk): name for pk, name in _leaders(table)}, table)
    data = progress_workbook(campaign, rows, as_of, caption)
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{campaign.name}重点项目推进情况表{caption}{as_of:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
