"""Bring the photos stored before the copies existed up to date: `manage.py make_photo_copies`.
Safe to run twice.

- A report photo without copies gets its thumbnail and screen size, and its original loses its
  EXIF (GPS, camera): projects.services.make_photo_copies.
- An image given as a notice's evidence file before photos were kept apart becomes an evidence
  photo (copies without metadata, shown as a thumbnail) and the file that kept the phone's
  metadata is deleted: supervision.notices.evidence_to_photo. Documents stay files.
- A highlight's photo kept as uploaded (before highlights were re-encoded; they are published in
  bulletins) loses its metadata: supervision.highlights.strip_photo.

It lives in supervision, the higher of the two apps it brings up to date.
"""

import os

from django.core.management.base import BaseCommand

from projects import services
from projects.models import Highlight, ReportPhoto
from supervision import highlights, notices
from supervision.models import Evidence

#: The evidence files worth opening: any other extension was never accepted as an image.
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


class Command(BaseCommand):
    help = ("Make thumbnails and screen copies of old report photos and strip their metadata; "
            "turn images stored as evidence files into evidence photos; strip the metadata of "
            "highlight photos.")

    def handle(self, *args, **options):
        done, failed = self._each("photo", ReportPhoto.objects.filter(thumbnail="").values_list(
            "pk", flat=True), lambda pk: services.make_photo_copies(ReportPhoto(pk=pk)))
        self.stdout.write(f"{done} photos given copies, {failed} failed")

        images = (pk for pk, name in Evidence.objects.values_list("pk", "file").iterator()
                  if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS)
        moved, failed = self._each("evidence", images, notices.evidence_to_photo)
        self.stdout.write(f"{moved} evidence images made photos, {failed} failed")

        stripped, failed = self._each("highlight", Highlight.objects.exclude(photo="").values_list(
            "pk", flat=True), highlights.strip_photo)
        self.stdout.write(f"{stripped} highlight photos stripped of metadata, {failed} failed")

    def _each(self, what: str, pks, step) -> tuple[int, int]:
        """step(pk) for each key (True: changed); a missing or unreadable file is reported and
        skipped. Returns (changed, failed)."""
        changed = failed = 0
        for pk in pks.iterator() if hasattr(pks, "iterator") else pks:
            try:
                changed += step(pk)
            except (OSError, ValueError) as exc:
                failed += 1
                self.stderr.write(f"{what} {pk}: {exc}")
        return changed, failed
