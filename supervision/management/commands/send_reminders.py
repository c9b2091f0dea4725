"""`manage.py send_reminders`: send the reminders due now (each is sent once, so a rerun is safe)."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from supervision.reminders import send_reminders


class Command(BaseCommand):
    help = "Send report reminders and due-soon warnings that are due now."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(ngettext("%(count)s new notification", "%(count)s new notifications",
                                   sent) % {"count": sent})
