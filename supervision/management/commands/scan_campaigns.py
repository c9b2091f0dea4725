"""Run the scan synchronously: `manage.py scan_campaigns [--campaign ID] [--as-of YYYY-MM-DD]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaign.models import Campaign
from supervision.models import Flag
from supervision.scan import scan_all, scan_moment


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD; got {value!r}") from None


class Command(BaseCommand):
    help = "Scan campaigns for lagging projects and print what was opened, updated and resolved."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, action="append", dest="campaigns",
                            help="Campaign id (repeatable); default: every active campaign.")
        parser.add_argument("--as-of", type=_date, dest="as_of",
                            help="Scan as of this local date (end of day); default: now.")

    def handle(self, *args, campaigns=None, as_of=None, **options):
        if campaigns:
            missing = set(campaigns) - set(
                Campaign.objects.filter(pk__in=campaigns).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No campaign with id {', '.join(map(str, sorted(missing)))}")
        now = scan_moment(as_of)
        result = scan_all(now=now, campaign_ids=campaigns)
        self.stdout.write(f"Scanned {result.campaigns} campaign(s), {result.projects} project(s) "
                          f"as of {timezone.localtime(now):%Y-%m-%d %H:%M}")
        self.stdout.write(f"{'kind':<20} {'opened':>7} {'updated':>8} {'resolved':>9}")
        for kind in Flag.Kind.values:
            self.stdout.write(f"{kind:<20} {result.opened[kind]:>7} {result.updated[kind]:>8} "
                              f"{result.resolved[kind]:>9}")
        self.stdout.write(f"{'total':<20} {sum(result.opened.values()):>7} "
                          f"{sum(result.updated.values()):>8} {sum(result.resolved.values()):>9}")
        self.stdout.write(f"health changed: {result.health_changed}; notices drafted: "
                          f"{result.notices_drafted}, issued: {result.notices_issued}")
