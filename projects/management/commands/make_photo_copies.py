"""Give every report photo stored before the copies existed its thumbnail and screen size, and
strip its original of EXIF (GPS, camera): `manage.py make_photo_copies`. Safe to run twice."""

from django.core.management.base import BaseCommand

from projects import services
from projects.models import ReportPhoto


class Command(BaseCommand):
    help = "Make thumbnails and screen copies of old report photos and strip their metadata."

    def handle(self, *args, **options):
        done = failed = 0
        for pk in ReportPhoto.objects.filter(thumbnail="").values_list("pk", flat=True).iterator():
            try:
                changed = services.make_photo_copies(ReportPhoto(pk=pk))
            except (OSError, ValueError) as exc:  # a missing or unreadable file: reported, skipped
                failed += 1
                self.stderr.write(f"photo {pk}: {exc}")
                continue
            done += changed
        self.stdout.write(f"{done} photos given copies, {failed} failed")
