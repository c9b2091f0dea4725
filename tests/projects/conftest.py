"""A town with one person of every role, for the role matrices of the officials' web.

Everyone but the outsider works in the campaign's town (or, for the observer, the city above
it); the outsider works in another town and must not learn that our projects exist.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from campaign.models import Role, Unit
from projects.models import Project
from tests import factories


@dataclass
class Town:
    campaign: object
    project: Project
    other_project: Project
    leader: User
    team_member: User
    other_member: User
    town_admin: User
    supervisor: User
    observer: User
    outsider: User

    def user(self, role: str) -> User:
        return getattr(self, role)


def place(user: User, unit: Unit) -> User:
    user.profile.unit = unit
    user.profile.save(update_fields=["unit"])
    return user


@pytest.fixture
def town(db) -> Town:
    city = factories.UnitFactory(name="长乐市", kind=Unit.Kind.CITY)
    campaign = factories.CampaignFactory(unit__parent=city)
    unit = campaign.unit
    project = factories.ProjectFactory(campaign=campaign, code="HN-01", name="滨海新城主干道路工程",
                                       leader=factories.UserFactory(username="leader1",
                                                                    roles=[Role.LEADER]))
    other = factories.ProjectFactory(campaign=campaign, code="HN-02", name="污水处理厂提标改造",
                                     level=Project.Level.COUNTY,
                                     leader=factories.UserFactory(username="leader2", roles=[Role.LEADER]))
    member = factories.AssignmentFactory(
        project=project, user=factories.UserFactory(username="cadre1", roles=[Role.TEAM_MEMBER])).user
    other_member = factories.AssignmentFactory(
        project=other, user=factories.UserFactory(username="cadre2", roles=[Role.TEAM_MEMBER])).user
    admin = factories.UserFactory(username="gjb", roles=[Role.TOWN_ADMIN])
    supervisor = factories.UserFactory(username="dcz", roles=[Role.SUPERVISOR])
    observer = factories.UserFactory(username="xiaoneng", roles=[Role.OBSERVER])
    outsider = factories.UserFactory(username="tantou", roles=[Role.TEAM_MEMBER, Role.LEADER])
    for user in (project.leader, other.leader, member, other_member, admin, supervisor):
        place(user, unit)
    place(observer, city)
    place(outsider, factories.UnitFactory(name="潭头镇", kind=Unit.Kind.TOWN, parent=city))
    return Town(campaign=campaign, project=project, other_project=other, leader=project.leader,
                team_member=member, other_member=other_member, town_admin=admin,
                supervisor=supervisor, observer=observer, outsider=outsider)


#: Who may read any project of the campaign, and who may write to town.project.
READERS = ["leader", "team_member", "other_member", "town_admin", "supervisor", "observer"]
WRITERS = ["leader", "team_member", "town_admin"]
REFUSED_WRITERS = ["other_member", "supervisor", "observer"]


def image_bytes(fmt: str = "JPEG", size=(64, 48)) -> bytes:
    """A small real image, made by Pillow."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A small PNG whose header claims width × height pixels (a decompression bomb): one
    compressed stream of zero rows, a few tens of kilobytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * ((width // 8 + 2) * 2000), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
