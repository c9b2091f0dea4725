"""Opened in a real reader, the bulletin's tables hold their figures whole: LibreOffice prints the
.docx's 附件 with every amount, percent and date on one line and the headers in words, not one
character a line; and every .xlsx carries row heights for its wrapped cells, so LibreOffice, Excel
and WPS show a long name or a two-line header whole instead of cut off or spilling over the
next row."""

import datetime
import io
import math
import re
import unicodedata
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from core import sheets
from projects.models import Project
from supervision import bulletins, exports
from tests import factories
from tests.readers import libreoffice_pdf

from .conftest import make_notice

pytestmark = pytest.mark.django_db

LONG_NAME = "长乐区滨海新城综合管廊及配套道路提升改造工程（二期）EPC总承包项目"
LONG_OWNER = "福州市长乐区滨海新城城市建设投资开发集团有限公司"


@pytest.fixture
def bulletin(campaign, project, supervisor):
    campaign.issuing_body = "湖南镇百日攻坚行动领导小组办公室"
    campaign.issuing_short_name = "湖南镇百日攻坚"
    campaign.save()
    big = factories.ProjectFactory(campaign=campaign, code="HN-03", name=LONG_NAME, owner=LONG_OWNER,
                                   health=Project.Health.RED, planned_investment=Decimal("32000"))
    factories.ProgressReportFactory(project=big, percent=Decimal("33.8"),
                                    investment_done=Decimal("10816"),
                                    problems="征迁交地滞后，杆线迁改未完成。" * 3,
                                    next_steps="倒排工期，挂图作战，每周调度。" * 3,
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    factories.ProgressReportFactory(project=project, percent=Decimal("60"),
                                    investment_done=Decimal("600.5"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    make_notice(big, supervisor, "issued")
    today = timezone.localdate()
    return bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today,
                                       title="第七周通报")


def _lines(pdf: PdfReader) -> list[str]:
    """The printed lines of text (NFKC: the CJK fonts map some characters to radicals)."""
    text = "\n".join(unicodedata.normalize("NFKC", p.extract_text() or "") for p in pdf.pages)
    return [line.strip() for line in text.splitlines()]


def _on_one_line(words: str, lines: list[str]) -> bool:
    return any(unicodedata.normalize("NFKC", words) in line.replace(" ", "") for line in lines)


def test_libreoffice_prints_every_figure_of_the_docx_tables_on_one_line(
        client, bulletin, supervisor, tmp_path):
    client.force_login(supervisor)
    data = client.get(reverse("bulletin_docx", args=[bulletin.pk])).content
    lines = _lines(libreoffice_pdf(data, "bulletin.docx", tmp_path))
    notice = bulletin.snapshot["notices"][0]
    for figure in ("32,000.00", "10,816.00", "33.8%", "33,000.00", "11,416.50", notice["number"],
                   exports.chinese_date(notice["respond_by"])):
        assert _on_one_line(figure, lines), (figure, [ln for ln in lines if ln][-60:])
    # The headers break only where a word ends: 滞后 over （百分点）, never a character a line.
    for words in ("（百分点）", "（万元）", "包项目", "红灯"):
        assert _on_one_line(words, lines), words
    assert not any(line in ("（百", "分", "点）", "点", "）") for line in lines)


def _needed_lines(cell, columns: float) -> int:
    text = "" if cell.value is None else str(cell.value)
    per_line = max(1.0, columns)
    return sum(max(1, math.ceil(sheets.text_units(part) / per_line)) for part in text.split("\n"))


def _column_units(ws, cell) -> float:
    """The width a cell's text has: its column's, or its merged range's."""
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43
                       for c in range(merged.min_col, merged.max_col + 1))
    return ws.column_dimensions[get_column_letter(cell.column)].width or 8.43


def _assert_rows_are_tall_enough(ws):
    """Every row whose wrapped text needs more than one line has a height that holds the lines
    at its font size (its title, its headers, a long name)."""
    for row in ws.iter_rows():
        need = 0.0
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            size = cell.font.sz or 11
            columns = (_column_units(ws, cell) - 1) * 11 / size
            need = max(need, _needed_lines(cell, columns) * size * 1.2)
        if need > 15:
            height = ws.row_dimensions[row[0].row].height
            assert height is not None and height >= need, (ws.title, row[0].row, height, need)


def test_every_xlsx_row_of_wrapped_text_is_as_tall_as_its_lines(client, bulletin, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("bulletin_xlsx", args=[bulletin.pk]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                  else response.content))
    progress = wb["项目进度"]
    big = next(r for r in progress.iter_rows(min_row=3) if r[1].value.startswith("HN-03"))
    # The long name wraps onto lines of its own, and its row is tall enough to show them all.
    assert big[1].alignment.wrap_text
    assert progress.row_dimensions[big[1].row].height >= 3 * 11
    assert progress.row_dimensions[2].height >= 2 * 11  # 计划投资（万元） on two lines
    for ws in wb.worksheets:
        _assert_rows_are_tall_enough(ws)


def test_the_dashboard_and_ranking_workbooks_wrap_long_names_in_tall_enough_rows(
        client, bulletin, supervisor):
    client.force_login(supervisor)
    campaign = bulletin.campaign
    for url in (reverse("dashboard_export") + f"?campaign={campaign.pk}",
                reverse("ranking_export") + f"?campaign={campaign.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                      else response.content))
        for ws in wb.worksheets:
            _assert_rows_are_tall_enough(ws)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value in (LONG_NAME, LONG_OWNER) or str(cell.value).startswith(
                            ("HN-03 " + LONG_NAME[:4], LONG_OWNER)):
                        assert cell.alignment.wrap_text, (url, ws.title, cell.coordinate)
                        assert ws.row_dimensions[cell.row].height >= 2 * 11, (url, ws.title)


def test_libreoffice_shows_the_long_names_of_a_workbook_whole(client, bulletin, supervisor,
                                                              tmp_path):
    client.force_login(supervisor)
    response = client.get(reverse("dashboard_export") + f"?campaign={bulletin.campaign_id}")
    pdf = libreoffice_pdf(b"".join(response.streaming_content) if response.streaming
                           else response.content, "export.xlsx", tmp_path)
    text = re.sub(r"\s+", "", "".join(_lines(pdf)))
    assert unicodedata.normalize("NFKC", LONG_NAME) in text
    assert unicodedata.normalize("NFKC", LONG_OWNER) in text
