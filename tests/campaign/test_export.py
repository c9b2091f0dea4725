"""The Excel export of the dashboard table, in the higher offices' form."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.exports import HEADERS
from tests import factories
from tests.projects.conftest import READERS

pytestmark = pytest.mark.django_db


def _sheet(response):
    return load_workbook(BytesIO(response.content)).active


@pytest.mark.parametrize("role", READERS)
def test_every_reader_exports_the_table(client, town, role):
    client.force_login(town.user(role))
    response = client.get(reverse("dashboard_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


def test_a_user_of_another_town_cannot_export_our_campaign(client, town):
    client.force_login(town.outsider)
    assert client.get(reverse("dashboard_export")).status_code == 404
    assert client.get(reverse("dashboard_export"), {"campaign": town.campaign.pk}).status_code == 404


def test_the_sheet_has_the_official_columns_and_one_row_per_project(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal("45"),
                                    investment_done=Decimal("300"), work_done="完成路基",
                                    problems="杆线迁改未完成", next_steps="推进杆线迁改",
                                    needs_coordination="供电公司配合")
    client.force_login(town.observer)
    ws = _sheet(client.get(reverse("dashboard_export")))
    assert [c.value for c in ws[3]] == HEADERS
    assert HEADERS == ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资", "完成投资",
                       "形象进度", "存在问题", "推进意见"]
    first = [c.value for c in ws[4]]
    assert first[0] == 1 and first[1] == town.project.name
    assert first[2] == "福州市级"
    assert first[4] == town.leader.profile.full_name
    assert Decimal(str(first[5])) == Decimal("1000") and Decimal(str(first[6])) == Decimal("300")
    assert first[7].startswith("完成45.0%") and "完成路基" in first[7]
    assert first[8] == "杆线迁改未完成"
    assert "推进杆线迁改" in first[9] and "供电公司配合" in first[9]
    assert ws.max_row == 5


def test_the_export_follows_the_dashboard_filters(client, town):
    client.force_login(town.leader)
    ws = _sheet(client.get(reverse("dashboard_export"), {"level": "county"}))
    assert ws.max_row == 4 and ws["B4"].value == town.other_project.name


def test_the_sheet_prints_one_landscape_page_wide(client, town):
    client.force_login(town.observer)
    ws = _sheet(client.get(reverse("dashboard_export")))
    assert ws.page_setup.orientation == "landscape"
    # Without fitToPage, Excel ignores fitToWidth and splits the ten columns over two pages.
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
