"""`manage.py urge_notices`: urge overdue notices and escalate the long-overdue ones, now."""

from django.core.management.base import BaseCommand

from campaign.models import Campaign
from supervision.notices import urge_overdue_notices


class Command(BaseCommand):
    help = "Urge (催办) overdue supervision notices; escalate them after escalate_after_days."

    def handle(self, *args, **options):
        for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk"):
            counts = urge_overdue_notices(campaign)
            self.stdout.write(f"{campaign}: urged {counts['urged']}, "
                              f"escalated {counts['escalated']}")
