"""Printed from Chromium to PDF, the documents hold on paper: the 130-project bulletin keeps each
project's row whole on one page with the table's header on every page and the document's own page
numbers, and the 督办单 with its 回执 is one A4 page."""

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

PROJECTS = 130
A4 = (595, 842)  # points, portrait


def _pdf(page, url: str):
    from pypdf import PdfReader

    page.goto(url)
    page.wait_for_load_state("load")
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    return PdfReader(io.BytesIO(data))


def _text(pdf_page) -> str:
    """The page's text without spaces; NFKC, since the CJK fonts map some characters to their
    Kangxi radical look-alikes (⽇ for 日)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", pdf_page.extract_text() or ""))


def _size(pdf_page) -> tuple[int, int]:
    box = pdf_page.mediabox
    return round(float(box.width)), round(float(box.height))


@pytest.fixture
def big_bulletin(town, plain_http):
    campaign = town.campaign
    campaign.issuing_short_name = "湖南镇百日攻坚"
    campaign.save(update_fields=["issuing_short_name"])
    # Rows of very different heights: some with long problems and advice, some short.
    for i in range(1, PROJECTS + 1):
        project = factories.ProjectFactory(
            campaign=campaign, code=f"P{i:03d}", name=f"第{i}号重点建设项目", leader=town.leader,
            owner="长乐区城市建设投资有限公司",
            health=Project.Health.RED if i % 9 == 0 else Project.Health.GREEN)
        long = i % 4 == 0
        factories.ProgressReportFactory(
            project=project, percent=Decimal(i % 90), investment_done=Decimal("12.5") * i,
            problems=("征迁交地、杆线迁改和要素保障滞后，影响施工进度。" * (4 if long else 1)),
            next_steps=("加快推进，倒排工期，挂图作战。" * (5 if long else 1)) + f"止{i:03d}",
            reported_at=timezone.now() - datetime.timedelta(hours=3))
    today = timezone.localdate()
    return bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)


def test_the_130_project_bulletin_prints_without_a_split_row(page, town, big_bulletin):
    login(page, town.supervisor.username)
    pdf = _pdf(page, f"/supervision/bulletins/{big_bulletin.pk}/print/")
    texts = [_text(p) for p in pdf.pages]
    assert len(pdf.pages) >= 4
    # The text on portrait A4, the attachment on landscape A4.
    assert _size(pdf.pages[0]) == A4
    attachment = [i for i, t in enumerate(texts) if "附件1" in t][0]
    for i in range(attachment, len(pdf.pages)):
        assert _size(pdf.pages[i]) == A4[::-1], i
    # Every page numbered by the document itself; 草稿 on every page of the draft.
    for number, text in enumerate(texts, start=1):
        assert f"—{number}—" in text, number
        assert "草稿" in text, number
    # Each project's row on one page: its code and the last words of its last cell together.
    for i in range(1, PROJECTS + 1):
        starts = [n for n, t in enumerate(texts) if n >= attachment and f"P{i:03d}第{i}号" in t]
        ends = [n for n, t in enumerate(texts) if n >= attachment and f"止{i:03d}" in t]
        assert len(starts) == 1 and starts == ends, (i, starts, ends)
    # The header row repeated on every page of the table.
    for i in range(attachment, len(pdf.pages)):
        if any(f"P{n:03d}" in texts[i] for n in range(1, PROJECTS + 1)):
            assert "序号" in texts[i] and "项目名称" in texts[i] and "包项目领导" in texts[i], i


def test_the_printed_notice_with_its_reply_slip_is_one_a4_page(page, town, plain_http):
    campaign = town.campaign
    campaign.issuing_body, campaign.contact_person, campaign.contact_phone = (
        "湖南镇百日攻坚行动领导小组办公室", "陈督查", "0591-28881234")
    campaign.save()
    notice = create_draft_notice(town.project, (), reason="形象进度滞后计划18个百分点，节点逾期。" * 3,
                                 required_action="三日内制定赶工计划，明确责任人和完成时限。" * 3,
                                 created_by=town.supervisor)
    issue_notice(notice, town.supervisor)
    login(page, town.supervisor.username)
    pdf = _pdf(page, f"/supervision/notices/{notice.pk}/print/")
    assert len(pdf.pages) == 1
    assert _size(pdf.pages[0]) == A4
    text = _text(pdf.pages[0])
    for words in ("湖南镇百日攻坚行动领导小组办公室", "督办单", notice.number, "主送", "承办单位",
                  "督办事项", "办理要求", "反馈时限", "签收人", "回执", "办理情况", "联系人：陈督查", "—1—"):
        assert unicodedata.normalize("NFKC", words) in text, words
