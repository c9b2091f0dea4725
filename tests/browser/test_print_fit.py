"""Printed from Chromium to PDF, the documents keep every figure whole and their pages full: the
bulletin's 附件 holds 32,000.00 and 33.8% on one line and its headers in words; an ordinary 督办单
with its 回执 is one A4 page, and a 督办单 with a 1,000-character 事由 and 办理要求 starts on page 1
and flows on, its 回执 whole on one page."""

import datetime
import io
import re
import unicodedata
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import Project
from supervision import bulletins
from supervision.notices import create_draft_notice, issue_notice
from tests import factories

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "长乐区滨海新城综合管廊及配套道路提升改造工程（二期）EPC总承包项目"
LONG_OWNER = "福州市长乐区滨海新城城市建设投资开发集团有限公司"


def _pdf(page, url: str):
    from pypdf import PdfReader

    page.goto(url)
    page.wait_for_load_state("load")
    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))


def _lines(pdf_page, *, layout: bool = False) -> list[str]:
    """The page's printed lines (NFKC: the CJK fonts map some characters to their Kangxi radical
    look-alikes); in layout mode each line as it lies across the page, the table's cells side by
    side, else without spaces."""
    text = unicodedata.normalize("NFKC", pdf_page.extract_text(
        extraction_mode="layout" if layout else "plain") or "")
    if layout:
        return [re.sub(r"(?<=\S) (?=\S)", "", line) for line in text.splitlines()]
    return [re.sub(r"\s+", "", line) for line in text.splitlines()]


def _on_one_line(words: str, lines: list[str]) -> bool:
    return any(unicodedata.normalize("NFKC", words) in line for line in lines)


def test_the_printed_bulletin_keeps_every_figure_and_header_word_on_one_line(
        page, town, plain_http):
    campaign = town.campaign
    campaign.issuing_short_name = "湖南镇百日攻坚"
    campaign.save(update_fields=["issuing_short_name"])
    big = factories.ProjectFactory(campaign=campaign, code="HN-03", name=LONG_NAME, owner=LONG_OWNER,
                                   leader=town.leader, health=Project.Health.RED,
                                   planned_investment=Decimal("32000"))
    factories.ProgressReportFactory(project=big, percent=Decimal("33.8"),
                                    investment_done=Decimal("10816"),
                                    problems="征迁交地滞后，杆线迁改未完成。" * 3,
                                    next_steps="倒排工期，挂图作战，每周调度。" * 3,
                                    reported_at=timezone.now() - datetime.timedelta(hours=3))
    today = timezone.localdate()
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    login(page, town.supervisor.username)
    pdf = _pdf(page, f"/supervision/bulletins/{bulletin.pk}/print/")
    assert len(pdf.pages) >= 2
    # The table as it prints: laid out for print on the width of landscape A4 between margins,
    # each cell's text read back line by line as the browser broke it.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(26.7 / 2.54 * 96), "height": 900})
    headers = _cell_lines(page, "#bulletin-progress thead th")
    assert ["滞后", "（百分点）"] in headers and ["计划投资", "（万元）"] in headers, headers
    assert all(len(line) > 1 for lines in headers for line in lines), headers
    figures = _cell_lines(page, "#bulletin-progress td.num, #bulletin-progress td.nowrap")
    assert all(len(lines) == 1 for lines in figures), figures
    for words in ("32,000.00", "10,816.00", "33.8%", "滞后26.8", "34,000.00"):
        assert [words] in figures, (words, figures)


#: The lines of each element's text as the browser laid them out (by the top of each character).
_LINES_JS = """(selector) => [...document.querySelectorAll(selector)].map(el => {
  const range = document.createRange(), walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const lines = []; let top = null, node;
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || !node.data[i].trim()) continue;
      if (top === null || rect.top > top + 2) { lines.push(""); top = rect.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines; })"""


def _cell_lines(page, selector: str) -> list[list[str]]:
    return page.evaluate(_LINES_JS, selector)


def _notice(town, reason: str, action: str):
    campaign = town.campaign
    campaign.issuing_body, campaign.contact_person, campaign.contact_phone = (
        "湖南镇百日攻坚行动领导小组办公室", "陈督查", "0591-28881234")
    campaign.save()
    project = town.project
    project.name, project.owner = LONG_NAME, LONG_OWNER
    project.save(update_fields=["name", "owner"])
    notice = create_draft_notice(project, (), reason=reason, required_action=action,
                                 created_by=town.supervisor)
    issue_notice(notice, town.supervisor)
    return notice


def test_an_ordinary_printed_notice_is_one_a4_page_with_its_figures_whole(page, town, plain_http):
    notice = _notice(town, "形象进度滞后计划18个百分点，节点逾期，预计2027-01-31完工。" * 3,
                     "三日内制定赶工计划，明确责任人和完成时限，于2026-12-31前完成交地。" * 3)
    login(page, town.supervisor.username)
    pdf = _pdf(page, f"/supervision/notices/{notice.pk}/print/")
    assert len(pdf.pages) == 1
    lines = _lines(pdf.pages[0])
    issued = timezone.localtime(notice.issued_at).date()
    for words in (notice.number, f"{issued.year}年{issued.month}月{issued.day}日",
                  "承办单位（盖章）：", "负责人签字：", "年月日"):
        assert _on_one_line(words, lines), (words, lines)


def test_a_long_printed_notice_starts_on_page_one_and_keeps_its_reply_slip_whole(
        page, town, plain_http):
    reason = ("形象进度滞后计划18个百分点，征迁交地、杆线迁改和要素保障均未按节点完成，"
              "施工单位人员机械投入不足，") * 20
    action = ("三日内制定赶工计划，明确责任人和完成时限，倒排工期、挂图作战，"
              "每周向督查组书面报告进展，") * 24
    assert len(reason) >= 1000 and len(action) >= 1000
    notice = _notice(town, reason, action)
    login(page, town.supervisor.username)
    pdf = _pdf(page, f"/supervision/notices/{notice.pk}/print/")
    pages = [_lines(p) for p in pdf.pages]
    text = ["".join(lines) for lines in pages]
    # The 事由 begins on page 1, under the heading, not pushed to page 2 leaving page 1 empty.
    assert "督办事项" in text[0] and unicodedata.normalize("NFKC", reason[:20]) in text[0], text[0]
    assert len(pdf.pages) <= 3, len(pdf.pages)
    # The 回执 with its signature line is whole on one page.
    slip = [i for i, t in enumerate(text) if "回执" in t]
    signed = [i for i, t in enumerate(text) if "负责人签字" in t]
    assert slip and slip == signed, (slip, signed)
    for number, page_text in enumerate(text, start=1):
        assert f"—{number}—" in page_text, number
