"""The campaign office sets projects up in the admin: bad input gets a clear message beside the
field, nothing is saved, and what was typed is still in the form."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Milestone, Project
from tests import factories

pytestmark = pytest.mark.django_db


def project_form(project: Project, milestones=(), **changes) -> dict:
    """The admin change form of a project as a browser posts it, with its milestone rows."""
    data = {
        "campaign": project.campaign_id, "code": project.code, "name": project.name,
        "level": project.level, "listed_by": project.listed_by_id, "owner": project.owner,
        "category": project.category, "goal": project.goal,
        "planned_start": project.planned_start.isoformat(),
        "planned_end": project.planned_end.isoformat(),
        "planned_investment": str(project.planned_investment), "leader": project.leader_id,
        "status": project.status, "pause_reason": project.pause_reason,
        "milestones-TOTAL_FORMS": str(len(milestones)), "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        "_continue": "1",
    }
    if project.pause_approved:
        data["pause_approved"] = "on"
    for i, (name, due, percent) in enumerate(milestones):
        data.update({f"milestones-{i}-name": name, f"milestones-{i}-due_date": due.isoformat(),
                     f"milestones-{i}-planned_percent": percent, f"milestones-{i}-project": project.pk})
    data.update(changes)
    return data


def change(admin_client, project, **kwargs):
    return admin_client.post(reverse("admin:projects_project_change", args=[project.pk]),
                             project_form(project, **kwargs))


def field_errors(response, field: str) -> list[str]:
    form = response.context["adminform"].form
    return list(form.errors.get(field, []))


def test_a_planned_end_before_the_start_is_refused_beside_the_field(admin_client):
    project = factories.ProjectFactory()
    response = change(admin_client, project, planned_start="2026-12-20", planned_end="2026-11-01")
    assert response.status_code == 200
    assert field_errors(response, "planned_end") == ["计划完工日期不能早于计划开工日期。"]
    assert "project_ends_after_start" not in response.content.decode()
    assert 'value="2026-12-20"' in response.content.decode()  # what was typed is kept
    project.refresh_from_db()
    assert project.planned_end != datetime.date(2026, 11, 1)


def test_a_code_another_project_of_the_campaign_has_is_refused_beside_the_field(admin_client):
    first = factories.ProjectFactory(code="HN-01")
    second = factories.ProjectFactory(campaign=first.campaign, code="HN-02")
    response = change(admin_client, second, code="HN-01")
    assert response.status_code == 200
    assert field_errors(response, "code") == ["本攻坚行动中已有编号为HN-01的项目。"]
    assert response.context["adminform"].form.non_field_errors() == []
    second.refresh_from_db()
    assert second.code == "HN-02"


def test_an_approved_suspension_without_a_reason_is_refused(admin_client):
    project = factories.ProjectFactory()
    response = change(admin_client, project, status="suspended", pause_approved="on",
                      pause_reason="  ")
    assert field_errors(response, "pause_reason") == ["已批准的暂停须填写暂停原因。"]
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS


def test_suspending_with_an_approved_reason_and_resuming_is_saved(admin_client):
    project = factories.ProjectFactory()
    response = change(admin_client, project, status="suspended", pause_approved="on",
                      pause_reason="征迁交地未完成，经镇党委会同意暂停")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_paused_with_reason
    assert change(admin_client, project, status="in_progress").status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS and project.resumed_on is not None


def test_a_milestone_outside_the_projects_dates_is_refused_on_its_row(admin_client):
    project = factories.ProjectFactory()
    late = project.planned_end + datetime.timedelta(days=30)
    response = change(admin_client, project, milestones=[("主体封顶", late, "60")])
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[0]["due_date"] == [
        f"完成时限须在项目计划工期内（{project.planned_start}至{project.planned_end}）。"]
    assert not Milestone.objects.filter(project=project).exists()


def test_with_the_projects_own_dates_refused_its_milestones_are_not_blamed(admin_client):
    project = factories.ProjectFactory()
    due = project.planned_start + datetime.timedelta(days=30)
    response = change(admin_client, project, milestones=[("主体封顶", due, "60")],
                      planned_start="2026-12-20", planned_end="2026-11-01")
    assert field_errors(response, "planned_end")
    assert response.context["inline_admin_formsets"][0].formset.errors == [{}]


def test_a_milestone_within_the_projects_dates_is_saved(admin_client):
    project = factories.ProjectFactory()
    due = project.planned_start + datetime.timedelta(days=30)
    assert change(admin_client, project, milestones=[("主体封顶", due, "60")]).status_code == 302
    assert Milestone.objects.get(project=project).due_date == due
