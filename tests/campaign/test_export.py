"""The Excel export of the dashboard table, in the higher offices' form."""

from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from projects.exports import HEADERS
from projects.models import Project
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


def test_the_sheet_has_the_official_columns_one_row_per_project_and_a_totals_row(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal("45"),
                                    investment_done=Decimal("300"), work_done="完成路基",
                                    problems="杆线迁改未完成", next_steps="推进杆线迁改",
                                    needs_coordination="供电公司配合")
    Project.objects.filter(pk=town.project.pk).update(health=Project.Health.YELLOW)
    client.force_login(town.observer)
    ws = _sheet(client.get(reverse("dashboard_export")))
    assert [c.value for c in ws[3]] == HEADERS
    assert HEADERS == ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
                       "完成投资（万元）", "形象进度", "计划进度", "滞后（百分点）", "预警", "存在问题",
                       "推进意见"]
    first = [c.value for c in ws[4]]
    assert first[0] == 1 and first[1] == town.project.name
    assert first[2] == "福州市级"
    assert first[4] == town.leader.profile.full_name
    assert Decimal(str(first[5])) == Decimal("1000") and Decimal(str(first[6])) == Decimal("300")
    assert first[7].startswith("完成45.0%") and "完成路基" in first[7]
    # 计划进度 and 滞后 agree with each other and the reported 45 %: lag = plan − progress.
    assert ws.cell(row=4, column=9).number_format == "0.0%"
    assert Decimal(str(first[8] * 100)).quantize(Decimal("0.1")) - Decimal("45") == \
        Decimal(str(first[9])).quantize(Decimal("0.1"))
    assert first[10] == "黄灯"  # the light in words, beside its colour
    assert ws.cell(row=4, column=11).fill.fgColor.rgb.endswith("FFF3CD")
    assert first[11] == "杆线迁改未完成"
    assert "推进杆线迁改" in first[12] and "供电公司配合" in first[12]
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[1] == "2个项目"
    planned = sum(Project.objects.filter(campaign=town.campaign).values_list(
        "planned_investment", flat=True))
    assert Decimal(str(total[5])) == planned and Decimal(str(total[6])) == Decimal("300")
    assert ws.cell(row=6, column=6).number_format == "#,##0.00"
    assert ws.max_row == 6


def test_the_export_follows_the_dashboard_filters_and_names_them_in_its_title(client, town):
    client.force_login(town.leader)
    response = client.get(reverse("dashboard_export"), {"level": "county"})
    ws = _sheet(response)
    assert ws.max_row == 5 and ws["B4"].value == town.other_project.name and ws["A5"].value == "合计"
    # The level named as its rows name it (projects.figures.level_name: by the listing unit).
    assert ws["C4"].value == "福州市级"
    assert ws["A1"].value == f"{town.campaign.name}重点项目推进情况表（福州市级）"
    assert "（福州市级）" in unquote(response["Content-Disposition"])
    ws = _sheet(client.get(reverse("dashboard_export"),
                           {"light": "green", "leader": str(town.leader.pk)}))
    assert ws["A1"].value.endswith(f"（绿灯、包项目领导：{town.leader.profile.full_name}）")


def test_the_file_has_a_chinese_name_whatever_the_interface_language(client, town):
    client.force_login(town.observer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard_export"))
    header = response["Content-Disposition"]
    today = timezone.localdate()
    assert "filename*=utf-8''" in header
    assert unquote(header.split("filename*=utf-8''")[1]) == (
        f"{town.campaign.name}重点项目推进情况表{today:%Y%m%d}.xlsx")


def test_the_sheet_prints_on_a4_landscape_one_page_wide_at_9pt_or_more(client, town):
    client.force_login(town.observer)
    ws = _sheet(client.get(reverse("dashboard_export")))
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    # Without fitToPage, Excel ignores fitToWidth and splits the columns over two pages.
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == "3:3"
    assert "&P" in ws.oddFooter.center.text
    # A column of width w is about 7w + 5 pixels at 96 dpi: the scale that fits them on the page
    # keeps the smallest type at 9 pt or more.
    printable = (29.7 / 2.54 - ws.page_margins.left - ws.page_margins.right) * 96
    wide = sum(7 * ws.column_dimensions[get_column_letter(i)].width + 5
               for i in range(1, len(HEADERS) + 1))
    smallest = min(c.font.sz for row in ws.iter_rows(min_row=3) for c in row if c.value is not None)
    assert smallest * min(1, printable / wide) >= 9
    assert ws.column_dimensions["B"].width > 3 * ws.column_dimensions["A"].width
    for row in ws.iter_rows(min_row=4):
        assert all(c.alignment.wrap_text for c in row)
