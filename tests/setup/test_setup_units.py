"""The campaign office keeps its town's villages (communities) and departments under 设置 › 单位:
adds them, renames them, deletes one nothing uses — in its own town only; a new unit is offered
at once in the person form and found by the Excel import's 人员 sheet."""

import re
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from campaign.models import Role, Unit
from tests import factories

from .conftest import placed

pytestmark = pytest.mark.django_db


def add(client, name, kind="village", **extra):
    return client.post(reverse("setup_unit_new"), {"name": name, "kind": kind, **extra},
                       follow=True)


def rename(client, unit, name, kind=None):
    return client.post(reverse("setup_unit_edit", args=[unit.pk]),
                       {"name": name, "kind": kind or unit.kind}, follow=True)


@pytest.fixture
def other_office(town):
    other = Unit.objects.create(name="潭头镇", kind=Unit.Kind.TOWN, parent=town.parent)
    return placed("tt_office", Role.TOWN_ADMIN, other, "陈主任")


def test_the_office_adds_a_village_and_a_department_to_its_town(office_client, town):
    response = add(office_client, "江田村", "village")
    assert response.redirect_chain == [(reverse("setup_units"), 302)]
    add(office_client, " 镇农业服务中心 ", "department")

    assert sorted(town.children.values_list("name", "kind")) == [
        ("江田村", "village"), ("镇农业服务中心", "department")]
    body = office_client.get(reverse("setup_units")).content.decode()
    assert "江田村" in body and "村（社区）" in body and "部门" in body
    assert 'href="{}"'.format(reverse("setup_units")) in body  # the 单位 tab of 设置


def test_the_units_page_speaks_chinese_by_default(office_client, village):
    body = office_client.get(reverse("setup_units")).content.decode()
    assert ">单位</a>" in body and "新增单位" in body and "湖南村" in body


def test_the_same_form_sent_twice_adds_the_unit_once(office_client, town):
    form = {"name": "江田村", "kind": "village", "once": "a" * 32}
    office_client.post(reverse("setup_unit_new"), form)
    again = office_client.post(reverse("setup_unit_new"), form, follow=True)
    assert again.redirect_chain == [(reverse("setup_units"), 302)]
    assert town.children.filter(name="江田村").count() == 1


def test_the_office_renames_a_unit_and_every_page_shows_the_new_name(office_client, village):
    cadre = placed("lihua", Role.TEAM_MEMBER, village, "李华", "村支书")
    response = rename(office_client, village, "湖南社区")
    assert response.redirect_chain == [(reverse("setup_units"), 302)]
    village.refresh_from_db()
    assert village.name == "湖南社区"
    cadre.refresh_from_db()
    assert cadre.profile.unit == village  # the same unit, by its new name
    assert "李华（湖南社区·村支书）" in office_client.get(reverse("setup_people")).content.decode()


def test_a_name_the_town_already_has_is_refused_beside_the_field_with_what_was_typed(
        office_client, town, village):
    response = add(office_client, "湖南村", "department")
    assert response.context["form"].errors["name"] == ["湖南镇已有名为“湖南村”的单位。"]
    body = response.content.decode()
    assert 'value="湖南村"' in body and re.search(r'value="department"[^>]*checked', body)
    assert town.children.filter(name="湖南村").count() == 1

    office = Unit.objects.create(name="镇党政办", kind=Unit.Kind.DEPARTMENT, parent=town)
    refused = rename(office_client, office, "湖南村")
    assert refused.context["form"].errors["name"] == ["湖南镇已有名为“湖南村”的单位。"]
    office.refresh_from_db()
    assert office.name == "镇党政办"
    # Nor the town's own name, which the import would find first.
    assert add(office_client, "湖南镇").context["form"].errors["name"] == [
        "湖南镇已有名为“湖南镇”的单位。"]


def test_a_unit_keeps_its_own_name_when_only_its_kind_changes(office_client, village):
    rename(office_client, village, "湖南村", kind="department")
    village.refresh_from_db()
    assert (village.name, village.kind) == ("湖南村", "department")


def test_a_unit_needs_a_name_and_a_kind_the_office_may_give(office_client, town):
    response = add(office_client, "   ", "town")
    errors = response.context["form"].errors
    assert errors["name"] == ["这个字段是必填项。"] and "kind" in errors
    assert not town.children.exists()


def test_another_towns_office_neither_sees_nor_edits_our_units(client, village, other_office):
    client.force_login(other_office)
    assert "湖南村" not in client.get(reverse("setup_units")).content.decode()
    assert client.get(reverse("setup_unit_edit", args=[village.pk])).status_code == 404
    assert client.post(reverse("setup_unit_edit", args=[village.pk]),
                       {"name": "改名", "kind": "village"}).status_code == 404
    assert client.post(reverse("setup_unit_delete", args=[village.pk])).status_code == 404
    village.refresh_from_db()
    assert village.name == "湖南村"
    # A unit it adds goes under its own town, and may share a name with ours.
    add(client, "湖南村")
    assert Unit.objects.filter(name="湖南村", parent__name="潭头镇").exists()


def test_the_town_itself_and_the_county_above_are_not_the_offices_to_edit(office_client, town):
    for unit in (town, town.parent):
        assert office_client.get(reverse("setup_unit_edit", args=[unit.pk])).status_code == 404
        assert office_client.post(reverse("setup_unit_edit", args=[unit.pk]),
                                  {"name": "改名", "kind": "village"}).status_code == 404
    town.refresh_from_db()
    assert town.name == "湖南镇"


def test_only_the_campaign_office_sets_up_units(client, village, zhang):
    client.force_login(zhang)
    assert client.get(reverse("setup_units")).status_code == 403
    assert client.post(reverse("setup_unit_new"), {"name": "江田村", "kind": "village"}
                       ).status_code == 403
    assert client.post(reverse("setup_unit_edit", args=[village.pk]),
                       {"name": "改名", "kind": "village"}).status_code == 403
    assert not Unit.objects.filter(name__in=["江田村", "改名"]).exists()


# --- A new unit is used at once ---------------------------------------------------------------


def test_a_new_unit_is_offered_at_once_in_the_person_form(office_client, town):
    office_client.get(reverse("setup_person_new"))  # the form seen (and cached pages) before
    add(office_client, "江田村")
    unit = town.children.get(name="江田村")
    form = office_client.get(reverse("setup_person_new")).context["form"]
    assert unit in form.fields["unit"].queryset
    assert "湖南镇 · 江田村" in office_client.get(reverse("setup_person_new")).content.decode()

    office_client.post(reverse("setup_person_new"), {
        "full_name": "李华", "username": "lihua", "unit": unit.pk, "title": "村支书",
        "phone": "", "roles": ["team_member"]})
    assert User.objects.get(username="lihua").profile.unit == unit


PEOPLE = ["姓名", "登录名", "单位", "职务", "电话", "角色"]
PROJECTS = ["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
            "计划开工", "计划完工", "攻坚目标"]


def people_workbook(*rows) -> SimpleUploadedFile:
    wb = Workbook()
    wb.active.title = "项目"
    wb.active.append(PROJECTS)
    sheet = wb.create_sheet("人员")
    sheet.append(PEOPLE)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("人员.xlsx", out.getvalue())


def test_a_new_unit_is_accepted_by_the_excel_imports_people_sheet(office_client, town,
                                                                  town_campaign):
    row = ["李华", "lihua", "江田村委会", "村支书", "13800000001", "工作专班成员"]
    before = office_client.post(reverse("setup_import", args=[town_campaign.pk]),
                                {"workbook": people_workbook(row)})
    assert any("江田村委会" in " ".join(r.errors) for r in before.context["plan"].rows)

    add(office_client, "江田村委会")
    preview = office_client.post(reverse("setup_import", args=[town_campaign.pk]),
                                 {"workbook": people_workbook(row)})
    rows = preview.context["plan"].rows
    assert [(r.key, r.action, r.errors) for r in rows] == [("lihua", "create", [])]
    office_client.post(reverse("setup_import_confirm", args=[town_campaign.pk]),
                       {"token": preview.context["token"]})
    assert User.objects.get(username="lihua").profile.unit.name == "江田村委会"


# --- Deleting: only a unit nothing uses ---------------------------------------------------------


def test_an_unused_unit_is_deleted_after_a_confirmation(office_client, town):
    add(office_client, "江田村委会")  # a typo: 江田村 was meant
    unit = town.children.get(name="江田村委会")
    page = office_client.get(reverse("setup_unit_delete", args=[unit.pk]))
    assert page.status_code == 200 and "删除" in page.content.decode()
    assert Unit.objects.filter(pk=unit.pk).exists()  # nothing until confirmed

    done = office_client.post(reverse("setup_unit_delete", args=[unit.pk]), follow=True)
    assert done.redirect_chain == [(reverse("setup_units"), 302)]
    assert not Unit.objects.filter(pk=unit.pk).exists()


def test_a_unit_in_use_is_not_deleted_and_the_page_says_by_what(office_client, town_campaign,
                                                              village):
    placed("lihua", Role.TEAM_MEMBER, village, "李华")
    project = factories.ProjectFactory(campaign=town_campaign)
    factories.ObstacleFactory(project=project, responsible_unit=village)
    edit = reverse("setup_unit_edit", args=[village.pk])
    page = office_client.get(reverse("setup_unit_delete", args=[village.pk]), follow=True)
    assert page.redirect_chain == [(edit, 302)]
    message = [str(m) for m in page.context["messages"]][0]
    assert message.startswith("湖南村不能删除：")
    assert "人员（1）" in message and "负责解决的问题（1）" in message and "改名" in message

    office_client.post(reverse("setup_unit_delete", args=[village.pk]))
    assert Unit.objects.filter(pk=village.pk).exists()


def test_a_unit_a_person_once_belonged_to_is_not_deleted(office_client, town, village):
    """The person's history names the unit: deleting it would leave a record of nothing."""
    moved = placed("lihua", Role.TEAM_MEMBER, village, "李华")
    moved.profile.unit = town
    moved.profile.save()
    assert village.profiles.count() == 0
    office_client.post(reverse("setup_unit_delete", args=[village.pk]))
    assert Unit.objects.filter(pk=village.pk).exists()
