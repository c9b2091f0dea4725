"""The .xlsx and .docx downloads of a bulletin open with openpyxl and python-docx and hold the
frozen figures."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from projects.models import Project
from supervision import bulletins, criticism
from tests import factories

from .conftest import make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(campaign, project, supervisor, leader):
    red = factories.ProjectFactory(campaign=campaign, code="HN-03", name="安置房一期",
                                   health=Project.Health.RED, planned_investment=Decimal("32000"))
    factories.ProgressReportFactory(project=red, percent=Decimal("12.5"), investment_done=Decimal("4000"),
                                    problems="征迁未完成", next_steps="加快交地",
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    factories.ProgressReportFactory(project=project, percent=Decimal("60"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    make_notice(project, supervisor, "closed")
    criticism.confirm_criticism(criticism.draft_criticism(red, person=red.leader, reason="逾期未反馈"),
                                supervisor)
    today = timezone.localdate()
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today,
                                           title="第七周通报")
    return bulletins.publish_bulletin(bulletin, supervisor)


def test_the_xlsx_opens_and_holds_the_figures(client, published, observer):
    client.force_login(observer)
    response = client.get(reverse("bulletin_xlsx", args=[published.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                  if response.streaming else response.content))
    assert {"概况", "项目进度", "红灯项目", "督办单", "通报批评"} <= set(wb.sheetnames)
    rows = list(wb["项目进度"].iter_rows(values_only=True))
    assert rows[0][:8] == ("序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
                           "完成投资（万元）", "形象进度（%）")
    first = rows[1]
    assert first[0] == 1 and first[1] == "HN-03 安置房一期"
    assert first[5] == 32000 and first[6] == 4000 and first[7] == 12.5
    assert first[12] == "征迁未完成" and first[13] == "加快交地"
    assert len(rows) == 1 + published.snapshot["headline"]["project_count"]
    assert [r[0] for r in wb["红灯项目"].iter_rows(min_row=2, values_only=True)] == [1]
    notice_numbers = [r[0] for r in wb["督办单"].iter_rows(min_row=2, values_only=True)]
    assert notice_numbers == [n["number"] for n in published.snapshot["notices"]]
    assert [r[2] for r in wb["通报批评"].iter_rows(min_row=2, values_only=True)] == ["逾期未反馈"]
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["Projects"].startswith("2")


def test_the_docx_opens_and_holds_the_figures(client, published, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("bulletin_docx", args=[published.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "通报" in text and "第七周通报" in text and "逾期未反馈" in text
    assert "红灯（1个）：HN-03 安置房一期" in text
    progress = doc.tables[0]
    assert progress.rows[1].cells[1].text == "HN-03 安置房一期"
    assert progress.rows[1].cells[7].text == "12.5"
    assert len(progress.rows) == 1 + published.snapshot["headline"]["project_count"]
    notices = doc.tables[1]
    assert notices.rows[1].cells[0].text == published.snapshot["notices"][0]["number"]


def test_the_docx_progress_table_has_the_forms_problems_and_advice_in_landscape(
        client, published, supervisor):
    from docx.enum.section import WD_ORIENT

    client.force_login(supervisor)
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[published.pk])).content))
    progress = doc.tables[0]
    headers = [c.text for c in progress.rows[0].cells]
    assert headers[-2:] == ["存在问题", "推进意见"]
    assert [c.text for c in progress.rows[1].cells][-2:] == ["征迁未完成", "加快交地"]
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height


def test_the_bulletin_page_links_both_downloads_and_the_print_view(client, published, leader):
    client.force_login(leader)
    page = client.get(reverse("bulletin_detail", args=[published.pk])).content.decode()
    for name in ("bulletin_xlsx", "bulletin_docx", "bulletin_print"):
        assert reverse(name, args=[published.pk]) in page
    printed = client.get(reverse("bulletin_print", args=[published.pk])).content.decode()
    assert "通报" in printed and "@media print" in printed and "HN-03 安置房一期" in printed
