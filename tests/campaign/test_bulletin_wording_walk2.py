"""One naming of the levels in a bulletin and on the dashboard (by the listing unit, 福州市级, as the
higher offices' form names them), a headline line that says what its numbers are, and the
dashboard's leaders in the order its table shows them."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from campaign.models import Role, Unit
from projects.models import Project
from supervision import bulletins
from tests import factories
from tests.projects.conftest import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_listings(town):
    """HN-01 listed by 福州市 (city level), HN-02 by 长乐市 (county level), each reported this
    week; their lights as a scan left them."""
    Project.objects.filter(pk=town.other_project.pk).update(
        listed_by=Unit.objects.get(name="长乐市"))
    for project in (town.project, town.other_project):
        factories.ProgressReportFactory(project=project,
                                        reported_at=timezone.now() - datetime.timedelta(hours=1))
    Project.objects.filter(campaign=town.campaign).update(
        review_at=timezone.now() + datetime.timedelta(days=1))
    return town


@pytest.fixture
def bulletin(two_listings):
    today = timezone.localdate()
    return bulletins.generate_bulletin(two_listings.campaign, today - datetime.timedelta(days=6),
                                       today)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_bulletin_names_levels_one_way_on_its_page_print_docx_and_xlsx(
        client, two_listings, bulletin):
    client.force_login(two_listings.supervisor)
    page = _text(client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode())
    printed = _text(client.get(reverse("bulletin_print", args=[bulletin.pk])).content.decode())
    for text in (page, printed):
        assert "福州市级 1，长乐市级 1" in text, "the headline 按级别"
        assert "市级 1，县级 1" not in text
    assert "福州市级" in page.split("按级别")[-1] and "长乐市级" in page.split("按级别")[-1]

    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[bulletin.pk])).content))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "福州市级 1，长乐市级 1" in paragraphs
    assert {"福州市级", "长乐市级"} <= set(cells)

    wb = load_workbook(io.BytesIO(_content(client.get(reverse("bulletin_xlsx",
                                                              args=[bulletin.pk])))))
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert summary["按级别"] == "福州市级 1，长乐市级 1"
    levels = {r[1]: r[2] for r in wb["项目进度"].iter_rows(min_row=3, values_only=True)
              if isinstance(r[0], int)}  # the ranked rows
    assert set(levels.values()) == {"福州市级", "长乐市级"}


def test_the_bulletin_says_what_its_report_counts_are(client, two_listings, bulletin):
    client.force_login(two_listings.supervisor)
    line = "本期收到填报 2份，2个应报项目中2个已报"
    page = _text(client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode())
    assert line in page
    printed = _text(client.get(reverse("bulletin_print", args=[bulletin.pk])).content.decode())
    assert "本期收到填报：2份，2个应报项目中2个已报。" in printed
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[bulletin.pk])).content))
    assert "2份，2个应报项目中2个已报" in "\n".join(p.text for p in doc.paragraphs)


def test_the_dashboard_names_levels_as_the_bulletin_does(client, two_listings):
    client.force_login(two_listings.supervisor)
    response = client.get(reverse("dashboard"))
    assert [lv["label"] for lv in response.context["figures"]["by_level"]] == ["福州市级", "长乐市级"]
    assert [r["level_label"] for r in response.context["rows"]] == ["福州市级", "长乐市级"]
    assert [(lv["value"], lv["label"]) for lv in response.context["levels"]] == [
        ("city", "福州市级"), ("county", "长乐市级")]
    assert "福州市级 1 · 长乐市级 1" in _text(response.content.decode())


def test_the_dashboards_leaders_are_in_the_order_of_their_projects_codes(client, town):
    # Names whose code points run against the codes (李 U+674E < 王 U+738B < 赵 U+8D75); 王五
    # leads two projects, the first of them before everyone else's.
    people = {name: place(factories.UserFactory(roles=[Role.LEADER], profile__full_name=name),
                          town.campaign.unit) for name in ("赵六", "王五", "李四")}
    for code, name in (("HN-00", "王五"), ("HN-05", "赵六"), ("HN-06", "王五"), ("HN-07", "李四")):
        factories.ProjectFactory(campaign=town.campaign, code=code, leader=people[name])
    Project.objects.filter(campaign=town.campaign).update(
        review_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(town.supervisor)
    leaders = [name for _pk, name in client.get(reverse("dashboard")).context["leaders"]]
    first, second = (p.leader.profile.full_name for p in (town.project, town.other_project))
    assert leaders == ["王五", first, second, "赵六", "李四"]
