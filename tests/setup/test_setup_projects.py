"""The campaign office sets up a project on one form — with its leader, milestones and team —
and suspends (with a reason and the approval recorded), resumes and completes it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.models import Role, Unit
from projects.models import Assignment, Project

from .conftest import placed

pytestmark = pytest.mark.django_db


def project_form(campaign, leader, **changes):
    data = {
        "code": "HN-01", "name": "滨海大道", "level": "city", "listed_by": campaign.unit_id,
        "owner": "城投公司", "category": "", "goal": "完成路基", "planned_start": "2026-09-01",
        "planned_end": "2026-12-01", "planned_investment": "1200", "leader": leader.pk,
        "milestones-TOTAL_FORMS": "2", "milestones-INITIAL_FORMS": "0",
        "milestones-0-name": "开工", "milestones-0-due_date": "2026-09-10",
        "milestones-0-planned_percent": "10",
        "milestones-1-name": "", "milestones-1-due_date": "", "milestones-1-planned_percent": "",
        "team-TOTAL_FORMS": "1", "team-INITIAL_FORMS": "0",
        "team-0-user": "", "team-0-role": "member", "team-0-unit": "",
    }
    data.update(changes)
    return data


def test_the_office_creates_a_project_with_a_milestone_and_a_team(office_client, town_campaign,
                                                                 zhang, village):
    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    response = office_client.post(
        reverse("setup_project_new", args=[town_campaign.pk]),
        project_form(town_campaign, zhang, **{"team-0-user": cadre.pk, "team-0-role": "lead"}))
    assert response.status_code == 302
    project = Project.objects.get(code="HN-01")
    assert project.leader == zhang and project.planned_investment == Decimal("1200")
    assert [(m.name, m.due_date) for m in project.milestones.all()] == [
        ("开工", datetime.date(2026, 9, 10))]
    assignment = Assignment.objects.get(project=project)
    assert (assignment.user, assignment.role, assignment.unit) == (cadre, "lead", village)
    assert project.history.count() == 1


def test_the_leader_picker_shows_name_unit_and_title(office_client, town_campaign, zhang):
    body = office_client.get(reverse("setup_project_new", args=[town_campaign.pk])).content.decode()
    assert "张明（湖南镇·副镇长）" in body
    assert ">zhangming<" not in body


def test_a_leader_of_another_town_is_refused(office_client, town_campaign, town):
    other = placed("tt_leader", Role.LEADER,
                   Unit.objects.create(name="潭头镇", kind="town", parent=town.parent))
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, other))
    assert "leader" in response.context["form"].errors
    assert not Project.objects.exists()


def test_an_end_before_the_start_is_refused_beside_the_field(office_client, town_campaign, zhang):
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, zhang, planned_end="2026-08-01"))
    assert response.context["form"].errors["planned_end"] == ["计划完工日期不能早于计划开工日期。"]
    assert 'value="滨海大道"' in response.content.decode()


def test_a_duplicate_code_is_refused_beside_the_field(office_client, town_campaign, zhang):
    office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                       project_form(town_campaign, zhang))
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, zhang, name="另一个"))
    assert "HN-01" in response.context["form"].errors["code"][0]
    assert Project.objects.count() == 1


def test_a_milestone_outside_the_plan_is_refused(office_client, town_campaign, zhang):
    response = office_client.post(
        reverse("setup_project_new", args=[town_campaign.pk]),
        project_form(town_campaign, zhang, **{"milestones-0-due_date": "2027-01-01"}))
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_suspend_with_an_approved_reason_then_resume_and_complete(office_client, town_campaign,
                                                                 zhang):
    office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                       project_form(town_campaign, zhang))
    project = Project.objects.get()
    refused = office_client.post(reverse("setup_project_suspend", args=[project.pk]),
                                 {"reason": "", "approved": "on"})
    assert refused.context["form"].errors["reason"]
    office_client.post(reverse("setup_project_suspend", args=[project.pk]),
                       {"reason": "征迁未完成", "approved": "on"})
    project.refresh_from_db()
    assert project.is_paused_with_reason
    assert project.history.latest().history_user.username == "hn_office"
    office_client.post(reverse("setup_project_resume", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == Project.Status.NOT_STARTED and project.resumed_on is not None
    office_client.post(reverse("setup_project_complete", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


def test_editing_a_project_keeps_its_milestones_completion(office_client, town_campaign, zhang):
    office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                       project_form(town_campaign, zhang))
    project = Project.objects.get()
    milestone = project.milestones.get()
    milestone.completed_on = datetime.date(2026, 9, 9)
    milestone.save()
    office_client.post(reverse("setup_project_edit", args=[project.pk]), project_form(
        town_campaign, zhang, name="滨海大道二期", **{
            "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": milestone.pk, "milestones-0-project": project.pk,
            "milestones-0-planned_percent": "15"}))
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert project.name == "滨海大道二期"
    assert milestone.planned_percent == Decimal("15")
    assert milestone.completed_on == datetime.date(2026, 9, 9)


def test_a_milestone_that_plans_less_than_an_earlier_one_is_refused_and_the_form_kept(
        office_client, town_campaign, zhang):
    """A plan only rises: 60 % by January then 40 % by February would leave the later milestone
    meaning nothing (the curve keeps 60). Refused in words, everything typed kept."""
    response = office_client.post(
        reverse("setup_project_new", args=[town_campaign.pk]),
        project_form(town_campaign, zhang, **{
            "milestones-0-name": "路基完成", "milestones-0-due_date": "2026-10-10",
            "milestones-0-planned_percent": "60",
            "milestones-1-name": "路面完成", "milestones-1-due_date": "2026-11-10",
            "milestones-1-planned_percent": "40"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "节点路面完成计划2026-11-10达到40%，低于之前的节点路基完成" in body
    assert 'value="路面完成"' in body and 'value="滨海大道"' in body
    assert not Project.objects.exists()


# --- The leader is someone with the leader role ----------------------------------------------------


def _leader_options(response) -> str:
    body = response.content.decode()
    return body.split('name="leader"')[1].split("</select>")[0]


def test_only_people_with_the_leader_role_are_offered_as_leader(office_client, office,
                                                               town_campaign, zhang, village, town):
    placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    placed("inspector", Role.SUPERVISOR, town, "陈督查", "督查组")
    options = _leader_options(office_client.get(
        reverse("setup_project_new", args=[town_campaign.pk])))
    assert "张明（湖南镇·副镇长）" in options
    assert "李华" not in options and "陈督查" not in options and "王主任" not in options


def test_a_person_without_the_leader_role_is_refused_as_leader_beside_the_field(
        office_client, office, town_campaign, village):
    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, cadre))
    assert response.status_code == 200 and response.context["form"].errors["leader"]
    assert not Project.objects.exists()


def test_the_service_refuses_a_leader_without_the_role_in_chinese(office, town_campaign, village):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from projects import services

    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    fields = {"code": "HN-01", "name": "滨海大道", "level": "town", "listed_by": town_campaign.unit,
              "owner": "城投公司", "goal": "完成路基", "planned_start": datetime.date(2026, 9, 1),
              "planned_end": datetime.date(2026, 12, 1), "planned_investment": Decimal("10")}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.save_project(town_campaign, office, leader=cadre, **fields)
    assert refused.value.message_dict["leader"] == [
        "李华没有包项目领导角色：请先在 设置 › 人员 中授予该角色，或选择其他领导。"]
    assert not Project.objects.exists()


def test_a_projects_leader_stays_selectable_after_their_roles_changed(office_client, town_campaign,
                                                                      zhang, village):
    from tests import factories

    project = factories.ProjectFactory(campaign=town_campaign, leader=zhang, code="HN-01",
                                       planned_start=datetime.date(2026, 9, 1),
                                       planned_end=datetime.date(2026, 12, 1))
    zhang.groups.clear()
    placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    page = office_client.get(reverse("setup_project_edit", args=[project.pk]))
    assert "张明（湖南镇·副镇长）" in _leader_options(page)
    assert "李华" not in _leader_options(page)
    response = office_client.post(reverse("setup_project_edit", args=[project.pk]),
                                  project_form(town_campaign, zhang, name="滨海大道二期"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.leader) == ("滨海大道二期", zhang)


# --- Enough rows for a whole plan in one save --------------------------------------------------------


def test_a_new_project_offers_six_empty_milestone_and_team_rows(office_client, town_campaign,
                                                                zhang):
    page = office_client.get(reverse("setup_project_new", args=[town_campaign.pk]))
    assert page.context["milestones"].total_form_count() == 6
    assert page.context["team"].total_form_count() == 6
    body = page.content.decode()
    assert body.count("data-gj-empty-row") == 12 and "保存后会再给出空行" not in body


def test_a_project_with_five_milestones_takes_one_save(office_client, town_campaign, zhang):
    rows = {"milestones-TOTAL_FORMS": "6"}
    for i, (name, day, percent) in enumerate([("开工", "09-10", 5), ("路基", "09-30", 20),
                                              ("管网", "10-20", 45), ("路面", "11-10", 75),
                                              ("验收", "11-30", 100)]):
        rows |= {f"milestones-{i}-name": name, f"milestones-{i}-due_date": f"2026-{day}",
                 f"milestones-{i}-planned_percent": str(percent)}
    rows |= {"milestones-5-name": "", "milestones-5-due_date": "",
             "milestones-5-planned_percent": ""}
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, zhang, **rows))
    assert response.status_code == 302
    assert Project.objects.get().milestones.count() == 5


def test_a_project_entered_under_way_gets_its_progress_now_and_its_true_light(
        office_client, office, town_campaign, zhang):
    """Found setting up 江田镇: projects already under way went red the day they were entered
    (the plan said 33.6 %, nothing reported: 0 %). The office gives how far each is now; it is
    kept as the first report, and the light compares the plan with it."""
    from django.utils import timezone

    from projects.models import ProgressReport
    from supervision.scan import scan_project

    today = timezone.localdate()
    dates = {"planned_start": (today - datetime.timedelta(days=40)).isoformat(),
             "planned_end": (today + datetime.timedelta(days=60)).isoformat(),
             "milestones-0-name": "", "milestones-0-due_date": "",
             "milestones-0-planned_percent": ""}
    new = reverse("setup_project_new", args=[town_campaign.pk])
    page = office_client.get(new).content.decode()
    assert 'name="baseline_percent"' in page
    office_client.post(new, project_form(town_campaign, zhang, **dates, baseline_percent="38",
                                         baseline_investment="450"))
    office_client.post(new, project_form(town_campaign, zhang, **dates, code="HN-02"))
    under_way, not_given = Project.objects.get(code="HN-01"), Project.objects.get(code="HN-02")
    first = ProgressReport.objects.get(project=under_way)
    assert (first.percent, first.investment_done, first.reported_by) == (
        Decimal("38.0"), Decimal("450.00"), office)
    assert not ProgressReport.objects.filter(project=not_given).exists()
    for project in (under_way, not_given):
        scan_project(project.pk)
        project.refresh_from_db()
    # By hand: the plan runs straight from 0 % to 100 % over 100 days, so 40 % on day 40;
    # 40 − 38 = 2 points behind (green); 40 − 0 = 40 points (red, threshold 15).
    assert (under_way.health, under_way.progress) == ("green", Decimal("38.0"))
    assert not_given.health == "red"
    # Once reported, the office no longer sets it here (corrections go through a report).
    page = office_client.get(reverse("setup_project_edit", args=[under_way.pk])).content.decode()
    assert 'name="baseline_percent"' not in page
    assert 'name="baseline_percent"' in office_client.get(
        reverse("setup_project_edit", args=[not_given.pk])).content.decode()
