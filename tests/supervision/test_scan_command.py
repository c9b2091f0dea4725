"""`manage.py scan_campaigns` on the demo campaign: it flags exactly the projects that are behind,
a second run changes nothing, and it prints per kind what it opened, updated and resolved — in
Chinese, the site's language."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from projects.models import Project
from supervision.models import Flag, Notice
from web.demo import seed_demo

pytestmark = pytest.mark.django_db


def run(*args) -> list[list[str]]:
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("scan_campaigns", *args, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def table(lines) -> dict[str, tuple[int, int, int]]:
    start = next(i for i, line in enumerate(lines) if line[0] == "类型")
    return {line[0]: tuple(map(int, line[1:])) for line in lines[start + 1:] if len(line) == 4}


@pytest.fixture
def demo():
    """The demo campaign as seeded, then as if never scanned: no flags, no notices, all green."""
    campaign = seed_demo().campaign
    Notice.objects.all().delete()
    Flag.objects.all().delete()
    Project.objects.update(health=Project.Health.GREEN, review_at=None)
    return campaign


def test_the_demo_scan_flags_exactly_the_projects_behind_and_a_rerun_changes_nothing(demo):
    first = run("--campaign", str(demo.pk))
    assert first[0][0].startswith("已扫描 1 个攻坚行动、13 个项目")
    counts = table(first)
    assert counts["合计"][0] == Flag.objects.count() > 0
    assert counts["进度滞后"][0] == Flag.objects.filter(kind="behind_plan").count()
    lights = dict(demo.projects.values_list("code", "health"))
    flagged = set(Flag.objects.filter(resolved_at__isnull=True)
                  .values_list("project__code", flat=True))
    assert {c for c, h in lights.items() if h == "red"} == {"HN-03", "HN-12"}
    assert {c for c, h in lights.items() if h == "yellow"} == {"HN-05", "HN-10"}
    assert lights["HN-08"] == "done"
    assert flagged == {"HN-03", "HN-05", "HN-10", "HN-12"}
    # Two red, two yellow and the finished HN-08 changed light; the two red got draft notices.
    assert first[-1][0] == "亮灯变化：5；督办单草稿：2，已交办：0"

    second = run("--campaign", str(demo.pk))
    assert table(second)["合计"] == (0, 0, 0)
    assert second[-1][0].startswith("亮灯变化：0")
    assert dict(demo.projects.values_list("code", "health")) == lights


def test_every_active_campaign_by_default_and_a_past_date(demo):
    assert run()[0][0].startswith("已扫描 1 个攻坚行动")
    lines = run("--as-of", "2026-10-01")  # before the campaign: nothing is late yet
    assert "截至 2026-10-01 23:59" in lines[0][0]


@pytest.mark.parametrize("args, message", [
    (("--as-of", "2026-13-01"), "--as-of 须为 YYYY-MM-DD 格式的日期，收到 2026-13-01"),
    (("--campaign", "999"), "没有编号为 999 的攻坚行动"),
])
def test_bad_arguments_are_refused_in_chinese(demo, args, message):
    with translation.override("zh-hans"), pytest.raises(CommandError, match=message):
        call_command("scan_campaigns", *args, stdout=StringIO())
