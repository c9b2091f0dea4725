"""Run the scan synchronously: `manage.py scan_campaigns [--campaign ID] [--as-of YYYY-MM-DD]`.

`--as-of D` scans at the end of local day D (23:59:59.999999 in Asia/Shanghai) for any date, today
included, so the same command gives the same answer whenever it is run; without it the scan looks
from now.

Always a full evaluation of the campaigns (every project, whatever its next review moment; the
moments it computes are stored as the hourly scan's are). Prints in the site's language (Chinese by default).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign
from supervision.models import Flag
from supervision.scan import scan_all, scan_moment


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--as-of must be a date as YYYY-MM-DD; got %(value)s")
                           % {"value": value}) from None


class Command(BaseCommand):
    help = "Scan campaigns for lagging projects and print what was opened, updated and resolved."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, action="append", dest="campaigns",
                            help="Campaign id (repeatable); default: every active campaign.")
        parser.add_argument("--as-of", dest="as_of",
                            help="Scan as of the end of this local date (23:59:59 Asia/Shanghai), "
                                 "for any date, today included; without it: now.")

    def handle(self, *args, campaigns=None, as_of=None, **options):
        as_of = _date(as_of) if as_of else None
        if campaigns:
            missing = set(campaigns) - set(
                Campaign.objects.filter(pk__in=campaigns).values_list("pk", flat=True))
            if missing:
                raise CommandError(_("No campaign with id %(ids)s")
                                   % {"ids": ", ".join(map(str, sorted(missing)))})
        now = scan_moment(as_of)
        result = scan_all(now=now, campaign_ids=campaigns)
        self.stdout.write(_("Scanned %(campaigns)s campaign(s), %(projects)s project(s) as of "
                            "%(moment)s") % {"campaigns": result.campaigns,
                                             "projects": result.projects,
                                             "moment": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"})
        rows = [(str(label), result.opened[kind], result.updated[kind], result.resolved[kind])
                for kind, label in Flag.Kind.choices]
        rows.append((_("total"), sum(result.opened.values()), sum(result.updated.values()),
                     sum(result.resolved.values())))
        self.stdout.write("\t".join([_("kind"), _("opened"), _("updated"), _("resolved")]))
        for row in rows:
            self.stdout.write("\t".join(map(str, row)))
        self.stdout.write(_("Lights changed: %(health)s; notices drafted: %(drafted)s, issued: "
                            "%(issued)s") % {"health": result.health_changed,
                                             "drafted": result.notices_drafted,
                                             "issued": result.notices_issued})
