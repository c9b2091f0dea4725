"""The .xlsx and .docx downloads of a bulletin open with openpyxl and python-docx, hold the frozen
figures, are in official form, in Chinese whatever the page's language, under Chinese file names,
and hold on paper: A4, header rows repeated, rows that never split, widths, page numbers, 草稿 on
every page of a draft. (This folder's pages are in English: see conftest.english.)"""

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from projects.models import Project
from supervision import bulletins, criticism
from supervision.models import Bulletin
from tests import factories
from tests.readers import libreoffice_pdf

from .conftest import make_notice

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def official(campaign):
    campaign.issuing_body = "湖南镇百日攻坚行动领导小组办公室"
    campaign.issuing_short_name = "湖南镇百日攻坚"
    campaign.recipients = "各挂钩领导，各村（社区），镇直各单位"
    campaign.contact_person, campaign.contact_phone = "陈督查", "0591-28881234"
    campaign.save()
    return campaign


@pytest.fixture
def draft(official, project, supervisor, leader):
    red = factories.ProjectFactory(campaign=official, code="HN-03", name="安置房一期",
                                   health=Project.Health.RED, planned_investment=Decimal("32000"))
    factories.ProgressReportFactory(project=red, percent=Decimal("12.5"), investment_done=Decimal("4000"),
                                    problems="征迁未完成", next_steps="加快交地",
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    factories.ProgressReportFactory(project=project, percent=Decimal("60"),
                                    investment_done=Decimal("600.5"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    make_notice(project, supervisor, "closed")
    criticism.confirm_criticism(criticism.draft_criticism(red, person=red.leader, reason="逾期未反馈"),
                                supervisor)
    today = timezone.localdate()
    return bulletins.generate_bulletin(official, today - datetime.timedelta(days=6), today,
                                       title="第七周通报")


@pytest.fixture
def published(draft, supervisor):
    return bulletins.publish_bulletin(draft, supervisor)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _filename(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment")
    return unquote(re.search(r"filename\*=utf-8''([^;]+)", header).group(1))


# --- What the files hold -----------------------------------------------------------------------


def test_the_xlsx_opens_and_holds_the_figures(client, published, observer):
    client.force_login(observer)
    response = client.get(reverse("bulletin_xlsx", args=[published.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(_content(response)))
    assert {"概况", "项目进度", "红灯项目", "督办单", "通报批评"} <= set(wb.sheetnames)
    assert wb.properties.creator == "湖南镇百日攻坚行动领导小组办公室"
    assert wb.properties.title == "湖南镇百日攻坚通报第1期"
    rows = list(wb["项目进度"].iter_rows(values_only=True))
    assert rows[0][0] == "湖南镇百日攻坚通报第1期　重点项目推进情况表（按滞后排名）"
    assert rows[1][:11] == ("序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
                            "完成投资（万元）", "形象进度", "计划进度", "滞后（百分点）", "预警")
    first = rows[2]
    assert first[0] == 1 and first[1] == "HN-03 安置房一期" and first[2] == "福州市级"
    assert first[5] == 32000 and first[6] == 4000 and first[7] == pytest.approx(0.125)
    assert first[10] == "红灯"
    assert first[12] == "征迁未完成" and first[13] == "加快交地"
    count = published.snapshot["headline"]["project_count"]
    assert len(rows) == 2 + count + 1
    # The totals row sums the rows above it.
    total = rows[-1]
    assert total[0] == "合计"
    assert Decimal(str(total[5])) == sum(Decimal(str(r[5])) for r in rows[2:-1]) == Decimal("33000")
    assert Decimal(str(total[6])) == Decimal("4600.5")
    ws = wb["项目进度"]
    assert ws.cell(row=3, column=6).number_format == "#,##0.00"
    assert ws.cell(row=3, column=8).number_format == "0.0%"
    assert [r[0] for r in wb["红灯项目"].iter_rows(min_row=3, values_only=True)] == [1, "合计"]
    notice_numbers = [r[0] for r in wb["督办单"].iter_rows(min_row=3, values_only=True)]
    assert notice_numbers == [n["number"] for n in published.snapshot["notices"]]
    assert [r[2] for r in wb["通报批评"].iter_rows(min_row=3, values_only=True)] == ["逾期未反馈"]
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    # Chinese labels, though the reader's page is in English.
    assert summary["项目总数"].startswith("2") and summary["期号"] == "第1期"


def test_the_docx_is_a_bulletin_in_official_form(client, published, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("bulletin_docx", args=[published.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p for p in doc.paragraphs if p.text]
    masthead = paragraphs[0]
    assert masthead.text == "湖南镇百日攻坚通报"
    assert str(masthead.runs[0].font.color.rgb) == "C00000"
    assert paragraphs[1].text == "第1期"
    day = timezone.localdate()
    written = f"{day.year}年{day.month}月{day.day}日"
    assert paragraphs[2].text == f"湖南镇百日攻坚行动领导小组办公室\t{written}"
    assert paragraphs[2]._p.pPr.find(qn("w:pBdr")) is not None  # the red line
    # The file's properties: the issuing body and the document, made today (not python-docx's
    # "python-docx" of 2013).
    props = doc.core_properties
    assert props.author == props.last_modified_by == "湖南镇百日攻坚行动领导小组办公室"
    assert props.title == "湖南镇百日攻坚通报第1期"
    assert abs(props.created - timezone.now()) < datetime.timedelta(minutes=5)
    text = "\n".join(p.text for p in paragraphs)
    assert "第七周通报" in text
    assert "各挂钩领导，各村（社区），镇直各单位：" in text
    assert "附件：1. 重点项目推进情况表" in text and "2. 督办单办理情况表" in text
    assert f"湖南镇百日攻坚行动领导小组办公室\n{written}" in text  # 署名 and 成文日期
    assert "（联系人：陈督查，电话：0591-28881234）" in text
    assert "红灯项目1个：HN-03 安置房一期（" in text and "逾期未反馈" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates
    assert "附件1" in text
    progress = doc.tables[0]
    assert progress.rows[1].cells[1].text == "HN-03 安置房一期"
    assert progress.rows[1].cells[7].text == "12.5%"
    assert progress.rows[1].cells[5].text == "32,000.00"
    assert progress.rows[1].cells[10].text == "红灯"
    assert [c.text for c in progress.rows[0].cells][-2:] == ["存在问题", "推进意见"]
    assert [c.text for c in progress.rows[1].cells][-2:] == ["征迁未完成", "加快交地"]
    count = published.snapshot["headline"]["project_count"]
    assert len(progress.rows) == 1 + count + 1
    assert progress.rows[-1].cells[0].text == "合计" and progress.rows[-1].cells[5].text == "33,000.00"
    notices = doc.tables[1]
    assert notices.rows[1].cells[0].text == published.snapshot["notices"][0]["number"]


def test_the_docx_prints_text_on_portrait_and_the_attachment_on_landscape_a4(
        client, published, supervisor):
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    client.force_login(supervisor)
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[published.pk])).content))
    text, attachment = doc.sections
    assert text.orientation == WD_ORIENT.PORTRAIT
    assert (round(text.page_width.cm, 1), round(text.page_height.cm, 1)) == (21.0, 29.7)
    assert attachment.orientation == WD_ORIENT.LANDSCAPE
    assert (round(attachment.page_width.cm, 1), round(attachment.page_height.cm, 1)) == (29.7, 21.0)
    # The progress table fits between the landscape margins, names wider than 序号.
    widths = [c.width for c in doc.tables[0].columns]
    assert sum(widths) <= attachment.page_width - attachment.left_margin - attachment.right_margin
    assert widths[1] > 3 * widths[0] and widths[0] <= Cm(1.2)


def test_the_docx_tables_repeat_their_header_rows_and_no_row_splits(client, published, supervisor):
    client.force_login(supervisor)
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[published.pk])).content))
    assert len(doc.tables) == 2
    for table in doc.tables:
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        for row in table.rows[1:]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is None
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_the_docx_names_chinese_fonts_and_sizes_of_9pt_or_more(client, published, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("bulletin_docx", args=[published.pk]))
    doc = Document(io.BytesIO(response.content))
    east_asia = set()
    for p in doc.paragraphs + [p for t in doc.tables for row in t.rows for c in row.cells
                               for p in c.paragraphs]:
        for run in p.runs:
            if not run.text:
                continue
            fonts = run._element.rPr.find(qn("w:rFonts"))
            east_asia.add(fonts.get(qn("w:eastAsia")))
            assert run.font.size.pt >= 9
    assert {"仿宋", "黑体", "方正小标宋简体"} <= east_asia
    # Each official font names a free CJK font to stand in for it.
    import zipfile

    fonts_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋".*?<w:altName w:val="Noto Serif CJK SC"', fonts_xml, re.S)
    assert re.search(r'w:name="黑体".*?<w:altName w:val="Noto Sans CJK SC"', fonts_xml, re.S)


def _footer_has_page_field(section) -> bool:
    xml = section.footer._element.xml
    return "PAGE" in xml and 'w:fldCharType="begin"' in xml and "— " in section.footer.paragraphs[0].text


def test_every_page_of_the_docx_is_numbered_and_a_draft_says_so_on_every_page(
        client, draft, supervisor):
    client.force_login(supervisor)
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[draft.pk])).content))
    for section in doc.sections:
        assert _footer_has_page_field(section)
        assert section.header.paragraphs[0].text == "草稿"
    assert doc.paragraphs[1].text == "草稿"  # no 期号 before publication
    bulletins.publish_bulletin(draft, supervisor)
    doc = Document(io.BytesIO(client.get(reverse("bulletin_docx", args=[draft.pk])).content))
    for section in doc.sections:
        assert _footer_has_page_field(section)
        assert "草稿" not in section.header.paragraphs[0].text


def _effective_points(ws) -> float:
    """The smallest type of the sheet as printed: its font size times the fit-to-width scale of
    A4 landscape (a column of width w is about 7w + 5 pixels at 96 dpi)."""
    printable = (29.7 / 2.54 - ws.page_margins.left - ws.page_margins.right) * 96
    wide = sum(7 * ws.column_dimensions[c].width + 5 for c in ws.column_dimensions
               if ws.column_dimensions[c].width) / max(1, ws.page_setup.fitToWidth)
    scale = min(1.0, printable / wide)
    sizes = [cell.font.sz for row in ws.iter_rows(min_row=2) for cell in row
             if cell.value is not None]
    return min(sizes) * scale


def test_every_xlsx_sheet_has_a4_page_setup_print_titles_widths_and_wrapped_text(
        client, draft, supervisor):
    client.force_login(supervisor)
    wb = load_workbook(io.BytesIO(_content(client.get(reverse("bulletin_xlsx", args=[draft.pk])))))
    assert len(wb.worksheets) == 9
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows.replace("$", "") == "1:2", ws.title
        assert "&P" in ws.oddFooter.center.text
        assert ws.oddHeader.right.text == "草稿"  # a draft, on every page
        assert ws["A1"].value.endswith("（草稿）")
        headers = [c.value for c in ws[2]]
        for i, _header in enumerate(headers, start=1):
            letter = ws.cell(row=2, column=i).column_letter
            assert ws.column_dimensions[letter].width, (ws.title, letter)
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
        assert _effective_points(ws) >= 9, ws.title
    progress = wb["项目进度"]
    assert progress.page_setup.orientation == "landscape"
    assert progress.column_dimensions["B"].width > 3 * progress.column_dimensions["A"].width


# --- Chinese whatever the reader's language ----------------------------------------------------


def test_the_files_are_named_in_chinese_by_their_issue(client, draft, supervisor, observer):
    client.force_login(supervisor)
    day = timezone.localdate()
    start = day - datetime.timedelta(days=6)
    name = (f"湖南镇百日攻坚通报（草稿）{start.year}年{start.month}月{start.day}日"
            f"至{day.year}年{day.month}月{day.day}日")
    assert _filename(client.get(reverse("bulletin_docx", args=[draft.pk]))) == f"{name}.docx"
    bulletins.publish_bulletin(draft, supervisor)
    client.force_login(observer)
    docx = client.get(reverse("bulletin_docx", args=[draft.pk]))
    assert _filename(docx) == "湖南镇百日攻坚通报第1期.docx"
    assert _filename(client.get(reverse("bulletin_xlsx", args=[draft.pk]))) == "湖南镇百日攻坚通报第1期.xlsx"
    # RFC 5987: the Chinese name in filename*, an ASCII one for old clients.
    assert docx["Content-Disposition"].isascii()


def test_a_bulletin_drafted_from_an_english_page_is_in_chinese(client, official, project, supervisor):
    client.force_login(supervisor)
    day = timezone.localdate()
    response = client.post(reverse("bulletin_generate"), {
        "campaign": official.pk, "period_start": (day - datetime.timedelta(days=6)).isoformat(),
        "period_end": day.isoformat(), "title": ""})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert bulletin.title.startswith("关于") and bulletin.title.endswith("重点项目推进情况的通报")
    assert {x["label"] for x in bulletin.snapshot["headline"]["by_health"]} == {
        "红灯", "黄灯", "绿灯", "已完成", "暂停"}
    printed = client.get(reverse("bulletin_print", args=[bulletin.pk])).content.decode()
    assert "项目总数" in printed and "Projects" not in printed.split('class="noprint"')[1][200:]


# --- 第N期: at publication, per campaign, without gaps ---------------------------------------


def test_issue_numbers_are_given_at_publication_per_campaign_without_gaps(official, supervisor):
    day = timezone.localdate()
    weeks = [bulletins.generate_bulletin(official, day - datetime.timedelta(days=7 * i + 6),
                                         day - datetime.timedelta(days=7 * i)) for i in range(3)]
    assert all(b.issue_number is None for b in weeks)
    # Published out of order: the numbers follow the publications.
    for bulletin in (weeks[2], weeks[0], weeks[1]):
        bulletins.publish_bulletin(bulletin, supervisor)
    assert [b.issue_number for b in (weeks[2], weeks[0], weeks[1])] == [1, 2, 3]
    with pytest.raises(bulletins.BulletinRefused):
        bulletins.publish_bulletin(weeks[0], supervisor)
    assert sorted(Bulletin.objects.values_list("issue_number", flat=True)) == [1, 2, 3]
    other = factories.CampaignFactory(name="潭头镇百日攻坚行动")
    first = bulletins.publish_bulletin(bulletins.generate_bulletin(other, day, day), supervisor)
    assert first.issue_number == 1


def test_the_database_refuses_a_duplicate_or_missing_issue_number(official, supervisor):
    day = timezone.localdate()
    one = bulletins.publish_bulletin(bulletins.generate_bulletin(official, day, day), supervisor)
    two = bulletins.generate_bulletin(official, day - datetime.timedelta(days=1),
                                      day - datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.filter(pk=two.pk).update(status="published", issue_number=one.issue_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.filter(pk=two.pk).update(status="published")


# --- The print view ---------------------------------------------------------------------------


def test_the_print_view_is_in_official_form_and_holds_on_paper(client, draft, supervisor, leader):
    client.force_login(supervisor)
    page = client.get(reverse("bulletin_print", args=[draft.pk])).content.decode()
    for text in ("湖南镇百日攻坚通报", "湖南镇百日攻坚行动领导小组办公室",
                 "各挂钩领导，各村（社区），镇直各单位：", "附件：1. 重点项目推进情况表",
                 "（联系人：陈督查，电话：0591-28881234）", "附件1",
                 "HN-03 安置房一期", "红灯", "32,000.00", "合计（2个项目）", "33,000.00"):
        assert text in page, text
    css = page.split("</style>")[0]
    assert "size: A4 portrait" in css and "size: A4 landscape" in css
    assert 'counter(page)' in css and "@bottom-center" in css
    assert "display: table-header-group" in css and "break-inside: avoid" in css
    assert '@top-right { content: "草稿"' in css  # a draft, on every printed page
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split("<body>")[1].split("<script")[0]
                         .split('class="noprint"')[1].split("</div>", 1)[1])
    bulletins.publish_bulletin(draft, supervisor)
    client.force_login(leader)
    page = client.get(reverse("bulletin_print", args=[draft.pk])).content.decode()
    assert "第1期" in page and '"草稿"' not in page


def test_the_bulletin_page_links_both_downloads_and_the_print_view(client, published, leader):
    client.force_login(leader)
    page = client.get(reverse("bulletin_detail", args=[published.pk])).content.decode()
    for name in ("bulletin_xlsx", "bulletin_docx", "bulletin_print"):
        assert reverse(name, args=[published.pk]) in page


# --- Opened by a real reader: LibreOffice turns each file into PDF pages ------------------------


def _page_size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)


def test_libreoffice_prints_the_docx_on_a4_with_its_issue_number_and_page_numbers(
        client, published, supervisor, tmp_path):
    client.force_login(supervisor)
    data = _content(client.get(reverse("bulletin_docx", args=[published.pk])))
    pdf = libreoffice_pdf(data, "bulletin.docx", tmp_path)
    sizes = [_page_size(p) for p in pdf.pages]
    assert sizes[0] == A4_PORTRAIT, sizes  # the text
    assert A4_LANDSCAPE in sizes, sizes  # the attachment's table
    assert set(sizes) <= {A4_PORTRAIT, A4_LANDSCAPE}
    text = [re.sub(r"\s+", "", p.extract_text() or "") for p in pdf.pages]
    assert f"第{published.issue_number}期" in text[0]
    assert "安置房一期" in "".join(text) and "附件" in "".join(text)
    for number, page_text in enumerate(text, start=1):
        assert f"—{number}—" in page_text, (number, page_text[-80:])


def test_libreoffice_prints_every_xlsx_on_a4_pages_with_the_projects(
        client, published, supervisor, tmp_path):
    client.force_login(supervisor)
    files = {
        "bulletin.xlsx": _content(client.get(reverse("bulletin_xlsx", args=[published.pk]))),
        "export.xlsx": _content(client.get(reverse("dashboard_export")
                                           + f"?campaign={published.campaign_id}")),
    }
    for name, data in files.items():
        pdf = libreoffice_pdf(data, name, tmp_path)
        sizes = {_page_size(p) for p in pdf.pages}
        assert sizes <= {A4_PORTRAIT, A4_LANDSCAPE}, (name, sizes)
        text = "".join(re.sub(r"\s+", "", p.extract_text() or "") for p in pdf.pages)
        assert "安置房一期" in text, name
        # Two projects fit on one page wide: no sheet falls apart into strips of columns.
        assert len(pdf.pages) <= 12, (name, len(pdf.pages))
