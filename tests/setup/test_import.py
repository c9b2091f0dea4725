"""Import a campaign's project list, milestones and people from a real .xlsx: a preview says
what each row would do (or why it cannot), confirm applies it all in one transaction or nothing,
the same file again changes nothing, an edited one updates by 项目编号."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from projects import figures
from projects.exports import progress_workbook
from projects.models import Milestone, Project

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
           "计划开工", "计划完工", "攻坚目标", "节点1名称", "节点1日期", "节点1进度（%）"]
PEOPLE = ["姓名", "登录名", "单位", "职务", "电话", "角色"]


def project_row(n, code, leader="张明", **changes):
    row = {"序号": n, "项目编号": code, "项目名称": f"项目{code}", "级别": "镇级",
           "项目业主": "城投公司", "包项目领导": leader, "计划投资（万元）": 1000 + n,
           "计划开工": datetime.date(2026, 9, 1), "计划完工": datetime.date(2026, 12, 1),
           "攻坚目标": "完成主体", "节点1名称": "开工", "节点1日期": datetime.date(2026, 9, 10),
           "节点1进度（%）": 10}
    row.update(changes)
    return [row[h] for h in HEADERS]


def workbook(projects, people=()) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(HEADERS)
    for row in projects:
        ws.append(row)
    sheet = wb.create_sheet("人员")
    sheet.append(PEOPLE)
    for row in people:
        sheet.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("清单.xlsx", out.getvalue())


def preview(client, campaign, upload):
    return client.post(reverse("setup_import", args=[campaign.pk]), {"workbook": upload})


def confirm(client, campaign, response):
    return client.post(reverse("setup_import_confirm", args=[campaign.pk]),
                       {"token": response.context["token"]})


def actions(response):
    return [(r.key, r.action) for r in response.context["plan"].rows]


GOOD = [project_row(1, "HN-01"), project_row(2, "HN-02", leader="lihua")]
LIHUA = ["李华", "lihua", "湖南村", "村支书", "13800000001", "包项目领导"]


def test_a_good_workbook_previews_then_creates_projects_milestones_and_people(
        office_client, town_campaign, zhang, village):
    response = preview(office_client, town_campaign, workbook(GOOD, [LIHUA]))
    assert actions(response) == [("lihua", "create"), ("HN-01", "create"), ("HN-02", "create")]
    assert not Project.objects.exists()  # nothing until confirmed

    done = confirm(office_client, town_campaign, response)
    assert done.status_code == 200  # the new person's temporary password, shown once
    lihua = User.objects.get(username="lihua")
    assert lihua.profile.unit == village and lihua.profile.must_change_password
    _name, _login, password = done.context["created"][0]
    assert lihua.check_password(password)
    first, second = Project.objects.order_by("code")
    assert (first.leader, second.leader) == (zhang, lihua)
    assert first.planned_investment == Decimal("1001")
    assert list(Milestone.objects.filter(project=first).values_list("name", "planned_percent")) == [
        ("开工", Decimal("10"))]


def test_importing_the_same_file_again_changes_nothing(office_client, town_campaign, zhang, village):
    confirm(office_client, town_campaign, preview(office_client, town_campaign,
                                                  workbook(GOOD, [LIHUA])))
    again = preview(office_client, town_campaign, workbook(GOOD, [LIHUA]))
    assert {action for _key, action in actions(again)} == {"unchanged"}
    assert "id=\"confirm-import\"" not in again.content.decode()
    assert Project.objects.count() == 2 and Milestone.objects.count() == 2


def test_an_edited_file_updates_by_code_and_never_duplicates(office_client, town_campaign, zhang,
                                                             village):
    confirm(office_client, town_campaign, preview(office_client, town_campaign,
                                                  workbook(GOOD, [LIHUA])))
    edited = [project_row(1, "HN-01", **{"项目名称": "滨海大道", "节点1进度（%）": 20}),
              GOOD[1], project_row(3, "HN-03")]
    response = preview(office_client, town_campaign, workbook(edited, [LIHUA]))
    assert actions(response) == [("lihua", "unchanged"), ("HN-01", "change"),
                                 ("HN-02", "unchanged"), ("HN-03", "create")]
    confirm(office_client, town_campaign, response)
    assert Project.objects.count() == 3
    project = Project.objects.get(code="HN-01")
    assert project.name == "滨海大道"
    assert project.milestones.get().planned_percent == Decimal("20")


def test_bad_rows_are_refused_with_their_reason_in_chinese_and_nothing_is_saved(
        office_client, town_campaign, zhang):
    bad = [
        project_row(1, "HN-01", leader="无名氏"),
        project_row(2, "HN-02", **{"计划开工": "下个月"}),
        project_row(3, "HN-03", **{"计划完工": datetime.date(2026, 8, 1)}),
        project_row(4, "HN-01"),
        project_row(5, "HN-05", **{"计划投资（万元）": "一千万"}),
        project_row(6, "HN-06"),
    ]
    response = preview(office_client, town_campaign, workbook(bad))
    errors = {r.line: " ".join(r.errors) for r in response.context["plan"].projects}
    assert "未知的包项目领导“无名氏”" in errors[2]
    assert "计划开工“下个月”不是日期" in errors[3]
    assert "计划完工日期 2026-08-01 早于计划开工日期 2026-09-01" in errors[4]
    assert "项目编号 HN-01 已在第 2 行出现" in errors[5]
    assert "计划投资“一千万”不是数字" in errors[6]
    assert errors[7] == ""
    assert "id=\"confirm-import\"" not in response.content.decode()
    refused = confirm(office_client, town_campaign, response)
    assert refused.status_code == 400
    assert not Project.objects.exists()


def test_the_dashboard_export_is_accepted_and_matches_projects_by_name(
        office_client, town_campaign, zhang, village):
    confirm(office_client, town_campaign, preview(office_client, town_campaign,
                                                  workbook(GOOD, [LIHUA])))
    today = datetime.date(2026, 10, 1)
    rows = figures.progress_table(town_campaign, today)
    exported = progress_workbook(town_campaign, rows, today)
    response = preview(office_client, town_campaign, SimpleUploadedFile("导出.xlsx", exported))
    assert actions(response) == [("HN-01", "unchanged"), ("HN-02", "unchanged")]


@pytest.mark.parametrize(("content", "message"), [
    (b"not a workbook at all", "不是 Excel 工作簿"),
    (b"x" * (2 * 1024 * 1024 + 1), "大于 2 MB"),
])
def test_a_file_that_is_not_a_workbook_or_too_large_gets_a_clear_message(
        office_client, town_campaign, content, message):
    response = preview(office_client, town_campaign, SimpleUploadedFile("x.xlsx", content))
    assert response.status_code == 200
    assert message in response.context["form"].errors["workbook"][0]


def test_a_workbook_without_a_header_row_gets_a_clear_message(office_client, town_campaign):
    wb = Workbook()
    wb.active.append(["甲", "乙"])
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("x.xlsx", out.getvalue()))
    assert "项目名称" in response.context["form"].errors["workbook"][0]


def test_the_template_has_the_official_columns_and_the_campaigns_projects(
        office_client, town_campaign, zhang, village):
    confirm(office_client, town_campaign, preview(office_client, town_campaign,
                                                  workbook(GOOD, [LIHUA])))
    response = office_client.get(reverse("setup_import_template", args=[town_campaign.pk]))
    wb = load_workbook(BytesIO(response.content))
    header = [c.value for c in wb["项目"][1]]
    assert header[:10] == ["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导",
                           "计划投资（万元）", "计划开工", "计划完工", "攻坚目标"]
    assert "节点1名称" in header
    assert [c.value for c in wb["人员"][1]] == PEOPLE
    # the template filled with what is set up imports as unchanged
    again = preview(office_client, town_campaign,
                    SimpleUploadedFile("t.xlsx", response.content))
    assert {a for _k, a in actions(again)} == {"unchanged"}


def test_the_template_keeps_a_formula_like_name_as_text_and_names_its_maker(
        office_client, town_campaign, zhang):
    """The template is written as every workbook is (core.sheets.workbook_bytes): a project named
    "=…" is a text cell (no formula runs in the office's Excel), read back as typed; the file's
    properties name the campaign's issuing body, not "openpyxl"."""
    confirm(office_client, town_campaign,
            preview(office_client, town_campaign, workbook([project_row(1, "HN-01")])))
    Project.objects.filter(campaign=town_campaign, code="HN-01").update(
        name='=HYPERLINK("http://evil.example","点击")')
    response = office_client.get(reverse("setup_import_template", args=[town_campaign.pk]))
    wb = load_workbook(BytesIO(response.content))
    cell = next(c for c in wb["项目"]["C"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix
    assert wb.properties.creator == town_campaign.issuer != "openpyxl"
    again = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", response.content))
    assert {a for _k, a in actions(again)} == {"unchanged"}


def test_a_stale_preview_is_not_applied(office_client, town_campaign, zhang):
    response = office_client.post(reverse("setup_import_confirm", args=[town_campaign.pk]),
                                  {"token": "forged"})
    assert response.status_code == 302
    assert not Project.objects.exists()


def test_teams_come_from_the_workbook_and_a_second_import_leaves_them(
        office_client, town_campaign, zhang, village):
    headers = HEADERS[:10] + ["专班责任人", "专班成员"]
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(headers)
    ws.append(project_row(1, "HN-01")[:10] + ["lihua", "张明、王强"])
    ws.append(project_row(2, "HN-02")[:10] + ["无名氏", ""])
    people = wb.create_sheet("人员")
    people.append(PEOPLE)
    people.append(LIHUA)
    people.append(["王强", "wangqiang", "湖南村", "村委委员", "", "工作专班成员"])
    out = BytesIO()
    wb.save(out)

    response = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", out.getvalue()))
    refused = {r.key: r.errors for r in response.context["plan"].projects}
    assert refused["HN-02"] == ["未知的工作专班人员“无名氏”：请先在“人员”表或“设置 › 人员”中添加此人。"]

    ws.delete_rows(3)
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", out.getvalue()))
    confirm(office_client, town_campaign, response)
    project = Project.objects.get(code="HN-01")
    team = sorted((a.user.username, a.role, a.unit.name) for a in project.assignments.all())
    assert team == [("lihua", "lead", "湖南村"), ("wangqiang", "member", "湖南村"),
                    ("zhangming", "member", "湖南镇")]
    again = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", out.getvalue()))
    assert {a for _k, a in actions(again)} == {"unchanged"}


def test_a_percent_typed_with_its_sign_in_excel_is_that_percent(office_client, town_campaign, zhang):
    """Typing 60% in Excel stores 0.6 in a cell formatted as a percent: it is read as 60, not
    0.6 (a plan 100 times too low would keep the project green)."""
    upload = workbook([project_row(1, "HN-01", **{"节点1进度（%）": 0.6})])
    wb = load_workbook(BytesIO(upload.read()))
    wb["项目"]["M2"].number_format = "0%"
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("清单.xlsx", out.getvalue()))
    assert actions(response) == [("HN-01", "create")]
    assert confirm(office_client, town_campaign, response).status_code in (200, 302)
    assert Milestone.objects.get(project__code="HN-01").planned_percent == Decimal("60")


def test_milestones_that_plan_less_later_or_share_a_name_are_refused_in_the_preview(
        office_client, town_campaign, zhang):
    headers = HEADERS + ["节点2名称", "节点2日期", "节点2进度（%）"]
    falling = project_row(1, "HN-01") + ["路面完成", datetime.date(2026, 11, 1), 5]
    same_name = project_row(2, "HN-02") + ["开工", datetime.date(2026, 11, 1), 50]
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(headers)
    ws.append(falling)
    ws.append(same_name)
    wb.create_sheet("人员").append(PEOPLE)
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("清单.xlsx", out.getvalue()))
    errors = {r.line: " ".join(r.errors) for r in response.context["plan"].projects}
    assert "节点路面完成计划2026-11-01达到5%，低于之前的节点开工" in errors[2], errors[2]
    assert "有两个节点名称相同" in errors[3], errors[3]
    assert "id=\"confirm-import\"" not in response.content.decode()
    assert confirm(office_client, town_campaign, response).status_code == 400
    assert not Project.objects.exists()


def test_a_phone_in_the_people_sheet_is_written_down_as_the_form_writes_it(
        office_client, town_campaign, zhang, village):
    wide = ["李华", "lihua", "湖南村", "村支书", "１３８ ００００ ３３３３", "包项目领导"]
    letters = ["王芳", "wangfang", "湖南村", "村主任", "1390000abcd", "工作专班成员"]
    response = preview(office_client, town_campaign, workbook([project_row(1, "HN-01")],
                                                              [wide, letters]))
    errors = {r.key: " ".join(r.errors) for r in response.context["plan"].people}
    assert errors["lihua"] == ""
    assert "电话“1390000abcd”只能包含数字和 - + ( )。" in errors["wangfang"]
    fixed = preview(office_client, town_campaign, workbook([project_row(1, "HN-01")], [wide]))
    confirm(office_client, town_campaign, fixed)
    assert User.objects.get(username="lihua").profile.phone == "13800003333"


def test_cells_merged_down_several_rows_give_their_value_to_each_row(office_client, town_campaign,
                                                                    zhang):
    """An office merges 项目业主 and 包项目领导 down the projects they share: every row of the
    merge has the value, not only the first (read-only sheets do not read merges by themselves)."""
    upload = workbook([project_row(1, "HN-01"), project_row(2, "HN-02", **{
        "项目业主": None, "包项目领导": None}), project_row(3, "HN-03", leader="")])
    wb = load_workbook(BytesIO(upload.read()))
    ws = wb["项目"]
    ws.merge_cells("E2:E3")  # 项目业主
    ws.merge_cells("F2:F3")  # 包项目领导
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("清单.xlsx", out.getvalue()))
    errors = {r.line: " ".join(r.errors) for r in response.context["plan"].projects}
    assert errors[2] == "" and errors[3] == "", errors
    assert "包项目领导为空" in errors[4]  # not merged: still empty
    fixed = [project_row(1, "HN-01"), project_row(2, "HN-02", **{"项目业主": None,
                                                                 "包项目领导": None})]
    wb = load_workbook(BytesIO(workbook(fixed).read()))
    wb["项目"].merge_cells("E2:E3")
    wb["项目"].merge_cells("F2:F3")
    out = BytesIO()
    wb.save(out)
    confirm(office_client, town_campaign, preview(
        office_client, town_campaign, SimpleUploadedFile("清单.xlsx", out.getvalue())))
    second = Project.objects.get(code="HN-02")
    assert (second.owner, second.leader) == ("城投公司", zhang)
