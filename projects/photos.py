"""Photos that prove the work (of reports, obstacles, hazards, spot-check findings and notice
responses) as they are stored: an original re-encoded without metadata, a screen-size copy and a
thumbnail, with the capture time read from the camera's EXIF before it is stripped.

A phone photo carries its GPS position and the device in EXIF; every reader of a project (the
higher office included) sees its photos, so no stored copy keeps any EXIF, XMP or text chunk.
"""

import contextlib
import datetime
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps

from core.dates import local_date, local_zone

from .figures import report_period

THUMBNAIL_PX = 480
SCREEN_PX = 1600
THUMBNAIL_QUALITY = 72
SCREEN_QUALITY = 80
ORIGINAL_QUALITY = 90
#: EXIF writes local camera time as text; both forms seen from phones are accepted.
EXIF_TIME_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S")


@dataclass
class PreparedPhoto:
    original: ContentFile
    screen: ContentFile
    thumbnail: ContentFile
    taken_at: datetime.datetime | None


def capture_time(image: Image.Image) -> datetime.datetime | None:
    """EXIF DateTimeOriginal (else DateTimeDigitized, else the IFD0 DateTime) as an aware time.

    A camera writes its local wall time without a zone: it is read as Asia/Shanghai, with the
    EXIF OffsetTimeOriginal used when the phone wrote one. None when absent or unreadable."""
    exif = image.getexif()
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    candidates = [(sub.get(ExifTags.Base.DateTimeOriginal), sub.get(ExifTags.Base.OffsetTimeOriginal)),
                  (sub.get(ExifTags.Base.DateTimeDigitized), sub.get(ExifTags.Base.OffsetTimeDigitized)),
                  (exif.get(ExifTags.Base.DateTime), sub.get(ExifTags.Base.OffsetTime))]
    for raw, offset in candidates:
        moment = _parse_exif_time(raw, offset)
        if moment is not None:
            return moment
    return None


def _parse_exif_time(raw, offset) -> datetime.datetime | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip().strip("\x00")
    for fmt in EXIF_TIME_FORMATS:
        try:
            naive = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 - zone applied below
        except ValueError:
            continue
        zone = local_zone()
        if isinstance(offset, str):
            with contextlib.suppress(ValueError):  # a garbled offset: the local zone stands
                zone = datetime.datetime.strptime(offset.strip().strip("\x00"), "%z").tzinfo
        moment = naive.replace(tzinfo=zone)
        # A camera clock that says the photo was taken in the future is not believed.
        return moment if moment <= timezone.now() + datetime.timedelta(days=1) else None
    return None


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    """Pixels only: no exif, icc, xmp or text chunks are written (nothing is passed on)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _as_rgb(image: Image.Image) -> Image.Image:
    """A JPEG copy of any image: transparency over white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def _smaller(image: Image.Image, px: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((px, px), Image.Resampling.LANCZOS)
    return copy


def prepare(upload) -> PreparedPhoto:
    """The three stored copies of an uploaded JPEG or PNG (already checked by the form), upright
    (EXIF orientation applied) and without metadata, and its capture time."""
    upload.seek(0)
    with Image.open(upload) as opened:
        taken_at = capture_time(opened)
        fmt = opened.format if opened.format in ("JPEG", "PNG") else "JPEG"
        upright = ImageOps.exif_transpose(opened)
        upright.load()
    upright.info = {}
    if fmt == "JPEG":
        upright = _as_rgb(upright)
    stem = uuid.uuid4().hex
    ext = "jpg" if fmt == "JPEG" else "png"
    rgb = _as_rgb(upright)
    return PreparedPhoto(
        original=ContentFile(_encode(upright, fmt, ORIGINAL_QUALITY), name=f"{stem}.{ext}"),
        screen=ContentFile(_encode(_smaller(rgb, SCREEN_PX), "JPEG", SCREEN_QUALITY),
                           name=f"{stem}-screen.jpg"),
        thumbnail=ContentFile(_encode(_smaller(rgb, THUMBNAIL_PX), "JPEG", THUMBNAIL_QUALITY),
                              name=f"{stem}-thumb.jpg"),
        taken_at=taken_at,
    )


def period_start(campaign, day: datetime.date, *, not_before: datetime.date | None = None) -> datetime.date:
    """The first day a photo submitted on `day` should have been taken on: the start of that
    reporting week (projects.figures.report_period, the dashboard's 本期), or `not_before` when
    later (a rectification photo from before the hazard was found proves nothing)."""
    start = report_period(campaign, day)[0]
    return max(start, not_before) if not_before else start


#: What an image file can carry beside its pixels that a stored copy never keeps (Pillow's names).
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile")


def has_metadata(upload) -> bool:
    """The file carries EXIF, XMP, a comment or a colour profile (a photo kept as uploaded, before
    every photo went through prepare)."""
    upload.seek(0)
    with Image.open(upload) as opened:
        return bool(opened.getexif()) or any(key in opened.info for key in METADATA_KEYS)


def taken_before(taken_at: datetime.datetime | None, since: datetime.date) -> bool:
    """Not this period's photo (非本期照片): its capture time is known and its local date is before
    `since` (period_start). The one statement of the mark, for every photo stored."""
    return taken_at is not None and local_date(taken_at) < since


def store(model, uploads, *, since: datetime.date, **fields) -> list:
    """Each upload (checked by core.uploads through the form's PhotosField) stored as a `model`
    row (a projects.models.StoredPhoto) with `fields`: three copies without metadata and the
    capture time; a photo taken before `since` is marked not this period's. Call it inside the
    service's transaction."""
    rows = []
    for upload in uploads:
        prepared = prepare(upload)
        photo = model(taken_at=prepared.taken_at,
                      taken_before_period=taken_before(prepared.taken_at, since), **fields)
        photo.image.save(prepared.original.name, prepared.original, save=False)
        photo.screen.save(prepared.screen.name, prepared.screen, save=False)
        photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
        rows.append(photo)
    return model.objects.bulk_create(rows)
