"""Phone photos for the tests of photos that prove the work, and how a stored copy is checked."""

import datetime
import io
import re

from PIL import ExifTags, Image


def phone_photo(taken: datetime.datetime, size=(4000, 3000), orientation: int | None = None) -> bytes:
    """A 12-megapixel JPEG with a textured scene, GPS coordinates, the camera and its capture time."""
    base = Image.effect_noise((size[0] // 10, size[1] // 10), 60).convert("RGB")
    scene = Image.blend(base.resize(size, Image.Resampling.BICUBIC),
                        Image.linear_gradient("L").resize(size).convert("RGB"), 0.5)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Model] = "Mate 60"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (25.0, 58.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (119.0, 31.0, 40.2)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def stored_sizes(photo) -> dict[str, tuple[int, int]]:
    """The pixel size of each stored copy of a StoredPhoto, each read back with Pillow and found
    without GPS, camera or any EXIF block."""
    sizes = {}
    for field in ("image", "screen", "thumbnail"):
        with getattr(photo, field).open("rb") as handle:
            data = handle.read()
        assert b"Exif" not in data[:65536] and b"HUAWEI" not in data, field
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo), field
            assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif, field
            assert "exif" not in img.info, field
            sizes[field] = img.size
    return sizes


def image_sources(body: str) -> list[str]:
    return re.findall(r'<img[^>]+src="([^"]+)"', body)


def bytes_of_images(client, body: str) -> int:
    """What the page's images cost to load, fetched as the browser would."""
    return sum(len(b"".join(client.get(src).streaming_content)) for src in image_sources(body))
