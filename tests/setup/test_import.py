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


def workbook(projects, people=(), *, headers=HEADERS) -> SimpleUploadedFile:
    """Sheets 项目 (headers, then the rows) and 人员 (its columns, then people)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(headers)
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
    assert header[:11] == ["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导",
                           "计划投资（万元）", "计划开工", "计划完工", "攻坚目标", "类别"]
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
    first = project_row(1, "HN-01")[:10] + ["lihua", "张明、王强"]
    people = [LIHUA, ["王强", "wangqiang", "湖南村", "村委委员", "", "工作专班成员"]]
    response = preview(office_client, town_campaign, workbook(
        [first, project_row(2, "HN-02")[:10] + ["无名氏", ""]], people, headers=headers))
    refused = {r.key: r.errors for r in response.context["plan"].projects}
    assert refused["HN-02"] == ["未知的工作专班人员“无名氏”：请先在“人员”表或“设置 › 人员”中添加此人。"]

    without = workbook([first], people, headers=headers)  # the refused row taken out
    response = preview(office_client, town_campaign, without)
    confirm(office_client, town_campaign, response)
    project = Project.objects.get(code="HN-01")
    team = sorted((a.user.username, a.role, a.unit.name) for a in project.assignments.all())
    assert team == [("lihua", "lead", "湖南村"), ("wangqiang", "member", "湖南村"),
                    ("zhangming", "member", "湖南镇")]
    again = preview(office_client, town_campaign, workbook([first], people, headers=headers))
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
    falling = project_row(1, "HN-01") + ["路面完成", datetime.date(2026, 11, 1), 5]
    same_name = project_row(2, "HN-02") + ["开工", datetime.date(2026, 11, 1), 50]
    response = preview(office_client, town_campaign, workbook(
        [falling, same_name], headers=HEADERS + ["节点2名称", "节点2日期", "节点2进度（%）"]))
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


def test_the_template_has_the_category_and_a_category_filled_in_is_imported(
        office_client, town_campaign, zhang):
    """类别 is on the project form: the template has it too, filled with what is set up, and
    comes back unchanged; a category typed in the template is the project's."""
    confirm(office_client, town_campaign, preview(office_client, town_campaign, workbook(GOOD[:1])))
    Project.objects.filter(code="HN-01").update(category="交通")
    response = office_client.get(reverse("setup_import_template", args=[town_campaign.pk]))
    ws = load_workbook(BytesIO(response.content))["项目"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("类别") + 1).value == "交通"
    again = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", response.content))
    assert {a for _k, a in actions(again)} == {"unchanged"}

    ws.cell(2, header.index("类别") + 1).value = "民生"
    out = BytesIO()
    ws.parent.save(out)
    changed = preview(office_client, town_campaign, SimpleUploadedFile("t.xlsx", out.getvalue()))
    assert [(r.key, r.action) for r in changed.context["plan"].projects] == [("HN-01", "change")]
    confirm(office_client, town_campaign, changed)
    assert Project.objects.get(code="HN-01").category == "民生"


FULL_WIDTH = {"项目编号": "ＪＴ－１０", "项目名称": "滨海大道（一期）", "计划投资（万元）": "１２００",
              "计划完工": "２０２６年１２月７日", "节点1进度（%）": "４０％"}


def test_codes_numbers_dates_and_percents_typed_full_width_are_read_as_typed_half_width(
        office_client, town_campaign, zhang):
    """ＪＴ－１０ is the code JT-10 (it sorts before JT-11, and a later sheet with JT-10 changes
    it instead of adding a second project); a name keeps its Chinese brackets as the form does."""
    rows = [project_row(1, "JT-11"), project_row(2, "", **FULL_WIDTH)]
    response = preview(office_client, town_campaign, workbook(rows))
    assert actions(response) == [("JT-11", "create"), ("JT-10", "create")]
    confirm(office_client, town_campaign, response)
    assert list(Project.objects.values_list("code", flat=True)) == ["JT-10", "JT-11"]
    project = Project.objects.get(code="JT-10")
    assert project.name == "滨海大道（一期）"
    assert project.planned_investment == Decimal("1200")
    assert project.planned_end == datetime.date(2026, 12, 7)
    assert project.milestones.get().planned_percent == Decimal("40")

    half = project_row(2, "JT-10", **{"项目名称": "滨海大道（一期）", "计划投资（万元）": 1200,
                                      "计划完工": datetime.date(2026, 12, 7), "节点1进度（%）": 40})
    again = preview(office_client, town_campaign, workbook([half]))
    assert actions(again) == [("JT-10", "unchanged")]


def test_a_code_stored_full_width_is_found_by_the_same_code_half_width_and_written_so(
        office_client, town_campaign, zhang):
    confirm(office_client, town_campaign, preview(office_client, town_campaign, workbook(GOOD[:1])))
    Project.objects.filter(code="HN-01").update(code="ＨＮ－０１")  # as an older import stored it
    response = preview(office_client, town_campaign, workbook(GOOD[:1]))
    assert actions(response) == [("HN-01", "change")]
    assert response.context["plan"].projects[0].shown == [("项目编号", "ＨＮ－０１", "HN-01")]
    confirm(office_client, town_campaign, response)
    assert list(Project.objects.values_list("code", flat=True)) == ["HN-01"]


@pytest.mark.parametrize(("typed", "amount"), [
    ("980万元", Decimal("980")), ("980 万", Decimal("980")), ("1,200", Decimal("1200")),
    ("１，２００．５万元", Decimal("1200.5")), ("12,345,678", Decimal("12345678")),
])
def test_an_investment_may_be_typed_with_its_columns_unit_or_thousands_separators(
        office_client, town_campaign, zhang, typed, amount):
    response = preview(office_client, town_campaign, workbook([project_row(
        1, "HN-01", **{"计划投资（万元）": typed})]))
    assert actions(response) == [("HN-01", "create")]
    confirm(office_client, town_campaign, response)
    assert Project.objects.get().planned_investment == amount


@pytest.mark.parametrize("typed", ["9800000元", "1.2亿", "0.5亿元", "12,00"])
def test_an_investment_in_another_unit_is_refused_saying_the_column_is_in_wan_yuan(
        office_client, town_campaign, zhang, typed):
    response = preview(office_client, town_campaign, workbook([project_row(
        1, "HN-01", **{"计划投资（万元）": typed})]))
    errors = response.context["plan"].projects[0].errors
    if typed == "12,00":  # not a thousands separator: not a number
        assert errors == ["计划投资“12,00”不是数字（单位：万元）。"]
    else:
        assert errors == [f"计划投资“{typed}”：此列的单位是万元，请填写万元数，如 980 或 980万元。"]


def test_a_project_naming_a_person_whose_row_on_the_people_sheet_is_refused_says_so(
        office_client, town_campaign, zhang, village):
    upload = workbook([project_row(1, "HN-01", leader="张三")[:10] + ["", "张三"],
                       project_row(2, "HN-02")[:10] + ["zhangsan", ""]],
                      [LIHUA, ["张三", "zhangsan", "不存在村", "村委委员", "", "工作专班成员"]],
                      headers=HEADERS[:10] + ["专班责任人", "专班成员"])
    response = preview(office_client, town_campaign, upload)
    plan = response.context["plan"]
    assert [(r.key, r.action) for r in plan.people] == [("lihua", "create"), ("zhangsan", "error")]
    errors = {r.key: r.errors for r in plan.projects}
    refused = "“{}”在“人员”表第 3 行，但该行有误：请先改正该行。"
    assert errors["HN-01"] == [refused.format("张三"), refused.format("张三")]
    assert errors["HN-02"] == [refused.format("zhangsan")]


def test_an_unknown_role_is_refused_with_the_roles_there_are(office_client, town_campaign, zhang,
                                                            village):
    person = ["李华", "lihua", "湖南村", "村支书", "", "专班成员"]
    response = preview(office_client, town_campaign, workbook(GOOD[:1], [person]))
    assert response.context["plan"].people[0].errors == [
        "未知的角色“专班成员”：应为攻坚办、包项目领导、工作专班成员、督查组之一。"]


def test_the_preview_shows_what_it_read_of_a_new_row_and_what_a_changed_row_changes(
        office_client, town_campaign, zhang, village):
    """The office checks before confirming that a merged 项目业主 reached every row and １２００
    was read as 1200: a new row shows its values, a changed one each change from what to what."""
    rows = [project_row(1, "HN-01", **{"计划投资（万元）": "１２００"}),
            project_row(2, "HN-02", leader="lihua", **{"项目业主": None})]
    upload = workbook(rows, [LIHUA])
    wb = load_workbook(BytesIO(upload.read()))
    wb["项目"].merge_cells("E2:E3")  # 项目业主
    out = BytesIO()
    wb.save(out)
    response = preview(office_client, town_campaign, SimpleUploadedFile("清单.xlsx", out.getvalue()))
    plan = response.context["plan"]
    new = dict((column, then) for column, _now, then in plan.projects[1].shown)
    assert new == {"级别": "镇级（湖南镇）", "项目业主": "城投公司",
                   "包项目领导": "李华", "计划投资（万元）": "1002", "计划开工": "2026-09-01",
                   "计划完工": "2026-12-01", "攻坚目标": "完成主体", "节点": "共 1 个，开工 2026-09-10 10%"}
    assert dict((c, t) for c, _n, t in plan.projects[0].shown)["计划投资（万元）"] == "1200"
    assert plan.people[0].shown == [("姓名", "", "李华"), ("单位", "", "湖南村"),
                                    ("职务", "", "村支书"), ("电话", "", "13800000001"),
                                    ("角色", "", "包项目领导")]
    page = response.content.decode()
    assert "项目业主：</span><span title=\"城投公司\">城投公司</span>" in page
    confirm(office_client, town_campaign, response)

    edited = [project_row(1, "HN-01", **{"计划投资（万元）": "1500万元", "节点1进度（%）": 20}),
              project_row(2, "HN-02", leader="张明")]
    response = preview(office_client, town_campaign, workbook(edited, [LIHUA]))
    plan = response.context["plan"]
    assert [r.action for r in plan.projects] == ["change", "change"]
    assert plan.projects[0].shown == [
        ("计划投资（万元）", "1200", "1500"),
        ("节点", "共 1 个，开工 2026-09-10 10%", "共 1 个，开工 2026-09-10 20%")]
    assert plan.projects[1].shown == [("包项目领导", "李华", "张明")]
    page = response.content.decode()
    assert ">1200</span> → <span title=\"1500\">1500</span>" in page


def test_a_leader_without_the_leader_role_is_refused_in_the_preview_not_at_confirm(
        office_client, town_campaign, zhang, village):
    """The setup form offers only people with the leader role (projects.services.leader_problem);
    the preview asks the same rule, with the roles the people sheet gives: a 工作专班成员 named
    as 包项目领导 is said on the row, a person the sheet makes a leader is accepted."""
    cadre = ["陈志强", "chenzq", "湖南村", "村文书", "13800000002", "工作专班成员"]
    response = preview(office_client, town_campaign,
                       workbook([project_row(1, "HN-01", leader="chenzq"),
                                 project_row(2, "HN-02", leader="lihua")], [cadre, LIHUA]))
    assert ("HN-01", "error") in actions(response) and ("HN-02", "create") in actions(response)
    [refused] = [r for r in response.context["plan"].rows if r.key == "HN-01"]
    assert any("包项目领导角色" in e for e in refused.errors), refused.errors


def test_a_project_under_way_is_imported_with_its_progress_now_once(office_client, town_campaign,
                                                                   zhang):
    """形象进度 and 完成投资 of a project with no report yet are kept as its first report (the
    preview says so); once it has reports, a sheet's figures leave them alone; a 形象进度 in
    words takes the percent in it (the dashboard export writes 完成51.0%；…)."""
    from projects.models import ProgressReport

    def sheet(rows):  # the usual columns, then 形象进度 and 完成投资
        return workbook([[*row, progress, investment] for row, progress, investment in rows],
                        headers=[*HEADERS, "形象进度（%）", "完成投资（万元）"])

    rows = [(project_row(1, "HN-01"), "38%", "450万元"),
            (project_row(2, "HN-02"), "完成12.5%；路基填筑", ""),
            (project_row(3, "HN-03"), "正在进行桩基施工", "")]
    response = preview(office_client, town_campaign, sheet(rows))
    [first] = [r for r in response.context["plan"].rows if r.key == "HN-01"]
    assert ("建档进度", "", "38%，完成投资450万元") in first.shown
    confirm(office_client, town_campaign, response)
    got = {r.project.code: (r.percent, r.investment_done)
           for r in ProgressReport.objects.select_related("project")}
    assert got == {"HN-01": (Decimal("38.0"), Decimal("450.00")),
                   "HN-02": (Decimal("12.5"), Decimal("0.00"))}  # HN-03: words only, not read
    again = preview(office_client, town_campaign,
                    sheet([(project_row(1, "HN-01"), "60", ""), rows[1], rows[2]]))
    assert {a for _k, a in actions(again)} == {"unchanged"}  # reported: the sheet's % is not
