"""The ranking (排名) of the campaign's leaders and units, worst first (supervision.ranking), as a
page linked from the dashboard and as .xlsx."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from campaign import reporting
from campaign.access import pick_campaign
from core import pagecache
from core.dates import local_date
from supervision import ranking as ranking_rules

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ranking(campaign, now) -> dict:
    """The ranking from the shared cache until a write to the campaign changes it: keyed by the
    day and by the last deadline passed, since a deadline passing adds a missed report."""
    closed = reporting.last_closed_week(campaign, now).closes_at
    return pagecache.campaign_cached(campaign.pk, "ranking",
                                     lambda: ranking_rules.ranking(campaign, now),
                                     local_date(now), closed.isoformat())


@login_required
def ranking(request):
    """排名. Queries: the session, the user, the campaigns they see; then, unless cached, the
    ranking's six (supervision.ranking)."""
    campaign, campaigns = pick_campaign(request)
    if campaign is None:
        return render(request, "campaign/no_campaign.html")
    result = _ranking(campaign, timezone.now())
    return render(request, "web/ranking.html", {
        "campaign": campaign, "campaigns": campaigns, "ranking": result,
        "as_of": result["as_of"],
    })


@login_required
def ranking_export(request):
    """The ranking as .xlsx: a sheet by leader and one by unit."""
    campaign, _campaigns = pick_campaign(request, required=True)
    result = _ranking(campaign, timezone.now())
    response = HttpResponse(ranking_rules.ranking_workbook(campaign, result), content_type=XLSX)
    filename = f"{campaign.name}推进排名{result['as_of']:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
