from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from campaign.models import Role
from web.demo import seed_demo


class Command(BaseCommand):
    help = "Create the 湖南镇 demo campaign (13 projects) and demo users; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo campaign and create it again with today's dates.")

    def handle(self, *args, reset=False, **options):
        result = seed_demo(reset=reset)
        campaign = result.campaign
        verb = _("Created") if result.created else _("Already present, unchanged")
        self.stdout.write(_("%(verb)s: %(name)s (%(start)s – %(end)s, %(count)s projects)") % {
            "verb": verb, "name": campaign.name, "start": campaign.start_date,
            "end": campaign.end_date, "count": campaign.projects.count()})
        self.stdout.write(_("Demo logins (password for all: %(password)s):")
                          % {"password": result.password})
        for role in Role:
            names = result.usernames.get(role.value, [])
            if names:
                self.stdout.write(f"  {role.label} ({role.value}): {', '.join(names)}")
