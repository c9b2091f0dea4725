"""Plans that change, on the record: a justified pause moves the plan when the project resumes (so
it is not red for its pause), the campaign office re-plans with a reason, each change is a plan
version (who, when, why), and the rules read the plan in force on the date they assess."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.dates import day_end, local_date, local_zone
from projects.models import PlanVersion, Project
from supervision import bulletins
from supervision.models import Flag
from supervision.scan import scan_campaign
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def chinese(english, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def T():
    return local_date()


def report_on(project, day, percent):
    at = datetime.datetime.combine(day, datetime.time(0, 5), tzinfo=local_zone())
    row = factories.ProgressReportFactory(project=project, percent=Decimal(percent), reported_at=at)
    Project.objects.filter(pk=project.pk).update(progress=row.percent, last_reported_at=at)


def open_flags(project):
    return {f.kind: f for f in Flag.objects.filter(project=project, resolved_at__isnull=True)}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_resumed_project_is_not_red_for_its_pause(campaign, project):
    """Planned T−60 … T+40, a point a day; milestones on the line at T−40 (20 %, met) and T+10
    (70 %). Paused with an approved reason from T−30 (plan 30 %) to today: the plan stands at 30 %
    for the 30 days, then goes on — planned end T+70, the T+10 milestone T+40, the met one stays.
    Reported 30 % today: on plan (the unmoved plan says 60 %: 30 behind, red)."""
    t = T()
    Project.objects.filter(pk=project.pk).update(planned_start=t - 60 * DAY, planned_end=t + 40 * DAY)
    before = factories.MilestoneFactory(project=project, due_date=t - 40 * DAY,
                                        planned_percent=Decimal("20"), completed_on=t - 41 * DAY)
    after = factories.MilestoneFactory(project=project, due_date=t + 10 * DAY,
                                       planned_percent=Decimal("70"))
    Project.objects.filter(pk=project.pk).update(
        status=Project.Status.SUSPENDED, pause_approved=True, pause_reason="征迁交地未完成",
        paused_on=t - 30 * DAY)
    report_on(project, t, "30")

    project.refresh_from_db()
    project.status = Project.Status.IN_PROGRESS  # resumes, as the campaign office does in the admin
    project.save()

    project.refresh_from_db()
    before.refresh_from_db()
    after.refresh_from_db()
    assert (project.resumed_on, project.planned_end) == (t, t + 70 * DAY)
    assert after.due_date == t + 40 * DAY and before.due_date == t - 40 * DAY
    original, moved = project.plan_versions.order_by("number")
    assert (original.kind, original.planned_end) == ("original", t + 40 * DAY)
    assert (moved.kind, moved.in_force_from, moved.planned_end) == ("pause", t, t + 70 * DAY)
    assert "征迁交地未完成" in moved.reason and "30" in moved.reason

    scan_campaign(campaign.pk)
    project.refresh_from_db()
    assert open_flags(project) == {}
    assert project.health == "green"


def test_a_pause_ending_the_day_it_began_moves_nothing(campaign, project):
    end = project.planned_end
    Project.objects.filter(pk=project.pk).update(
        status=Project.Status.SUSPENDED, pause_approved=True, pause_reason="暴雨", paused_on=T())
    project.refresh_from_db()
    project.status = Project.Status.IN_PROGRESS
    project.save()
    project.refresh_from_db()
    assert project.planned_end == end and not project.plan_versions.exists()


def test_going_into_a_justified_pause_records_the_day(campaign, project):
    project.status, project.pause_approved, project.pause_reason = "suspended", True, "征迁"
    project.save()
    project.refresh_from_db()
    assert project.paused_on == T()


@pytest.fixture
def behind(campaign, project):
    """Planned T−50 … T+50 with a milestone of 70 % at T+20 (a point a day up to it): 49 %
    yesterday, 50 % today; reported 20 % a week ago, 35 % yesterday and today (a good pace)."""
    t = T()
    Project.objects.filter(pk=project.pk).update(planned_start=t - 50 * DAY,
                                                 planned_end=t + 50 * DAY)
    factories.MilestoneFactory(project=project, name="主体封顶", due_date=t + 20 * DAY,
                               planned_percent=Decimal("70"))
    report_on(project, t - 7 * DAY, "20")
    report_on(project, t - DAY, "35")
    report_on(project, t, "35")
    project.refresh_from_db()
    return project


def test_only_the_campaign_office_may_replan(client, behind, leader, town_admin):
    url = reverse("project_replan", args=[behind.pk])
    client.force_login(leader)
    assert client.get(url).status_code == 403
    client.force_login(town_admin)
    assert client.get(url).status_code == 200


def test_a_replan_without_a_reason_or_with_a_milestone_outside_is_refused_beside_the_field(
        client, behind, town_admin):
    client.force_login(town_admin)
    url = reverse("project_replan", args=[behind.pk])
    milestone = behind.milestones.get()
    new_end = (T() + 150 * DAY).isoformat()
    response = client.post(url, {"planned_end": new_end, f"milestone_{milestone.pk}":
                                 (T() + 20 * DAY).isoformat(), "reason": " "})
    assert response.status_code == 200
    page = text(response)
    assert "这个字段是必填项。" in page and response.context["form"].errors["reason"]
    assert f'value="{new_end}"' in page  # what was typed is kept
    response = client.post(url, {"planned_end": new_end, f"milestone_{milestone.pk}":
                                 (T() + 200 * DAY).isoformat(), "reason": "县政府批复同意延期"})
    assert response.status_code == 200
    assert response.context["form"].errors[f"milestone_{milestone.pk}"]
    assert not behind.plan_versions.exists()


def test_a_replan_is_on_the_record_and_changes_the_light_from_its_date_on(client, behind,
                                                                          town_admin, campaign):
    """Original plan: 50 % today, 35 reported: 15 behind, red. Re-planned today to end T+150
    (200 days), milestone moved to T+70: the curve runs (T−50, 0) → (T+70, 70), 50 days of 120
    today: 29.17 %; 35 reported: ahead, green. A scan of yesterday still reads the original plan:
    49 % planned, 35 reported, 14 behind: yellow."""
    scan_campaign(campaign.pk)
    behind.refresh_from_db()
    assert behind.health == "red"

    client.force_login(town_admin)
    milestone = behind.milestones.get()
    response = client.post(reverse("project_replan", args=[behind.pk]), {
        "planned_end": (T() + 150 * DAY).isoformat(),
        f"milestone_{milestone.pk}": (T() + 70 * DAY).isoformat(),
        "reason": "县政府批复同意调整工期（长政〔2026〕12号）"})
    assert response.status_code == 302
    original, replanned = behind.plan_versions.order_by("number")
    assert original.planned_end == T() + 50 * DAY and original.kind == "original"
    assert (replanned.kind, replanned.in_force_from, replanned.created_by) == (
        "replan", T(), town_admin)

    scan_campaign(campaign.pk)
    behind.refresh_from_db()
    assert behind.health == "green" and open_flags(behind) == {}

    scan_campaign(campaign.pk, now=day_end(T() - DAY))
    behind.refresh_from_db()
    assert behind.health == "yellow"
    assert open_flags(behind)["behind_plan"].details["planned"] == "49.0"
    scan_campaign(campaign.pk, now=timezone.now())
    behind.refresh_from_db()
    assert behind.health == "green"

    page = text(client.get(reverse("project_detail", args=[behind.pk])))
    assert f"原计划：{(T() - 50 * DAY).isoformat()} – {(T() + 50 * DAY).isoformat()}" in page
    assert f"{(T() - 50 * DAY).isoformat()} – {(T() + 150 * DAY).isoformat()}" in page
    assert "县政府批复同意调整工期（长政〔2026〕12号）" in page
    assert "调整计划" in page


def test_the_bulletin_lists_the_periods_plan_changes(client, behind, town_admin, supervisor,
                                                     campaign):
    client.force_login(town_admin)
    milestone = behind.milestones.get()
    client.post(reverse("project_replan", args=[behind.pk]), {
        "planned_end": (T() + 150 * DAY).isoformat(),
        f"milestone_{milestone.pk}": (T() + 70 * DAY).isoformat(), "reason": "县政府批复同意延期"})
    bulletin = bulletins.generate_bulletin(campaign, T() - 6 * DAY, T())
    [change] = bulletin.snapshot["plan_changes"]
    assert change["reason"] == "县政府批复同意延期" and change["kind"] == "replan"
    client.force_login(supervisor)
    page = text(client.get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "县政府批复同意延期" in page
    assert (T() + 150 * DAY).isoformat() in page
    assert PlanVersion.objects.count() == 2


def test_the_replan_service_refuses_a_missing_reason_and_an_end_before_the_start(behind,
                                                                                 town_admin):
    from django.core.exceptions import ValidationError

    from projects import plans

    with pytest.raises(ValidationError) as refused:
        plans.replan(behind, town_admin, planned_end=behind.planned_start - DAY,
                     milestone_dates={}, reason="  ")
    assert set(refused.value.message_dict) == {"reason", "planned_end"}
    assert not behind.plan_versions.exists()


def test_the_bulletins_word_file_lists_the_plan_changes(client, behind, town_admin, campaign):
    import io

    from docx import Document

    from supervision.exports import bulletin_docx

    client.force_login(town_admin)
    milestone = behind.milestones.get()
    client.post(reverse("project_replan", args=[behind.pk]), {
        "planned_end": (T() + 150 * DAY).isoformat(),
        f"milestone_{milestone.pk}": (T() + 70 * DAY).isoformat(), "reason": "县政府批复同意延期"})
    bulletin = bulletins.generate_bulletin(campaign, T() - 6 * DAY, T())
    doc = Document(io.BytesIO(bulletin_docx(bulletin)))
    lines = [p.text for p in doc.paragraphs if p.text.startswith("本期计划调整")]
    assert lines and "县政府批复同意延期" in lines[0] and "调整计划" in lines[0]
