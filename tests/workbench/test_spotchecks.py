"""Spot checks: the seeded draw reproduced from its seed, red weighting, findings into notices,
and the list's query count."""

import datetime
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from supervision import spotchecks
from supervision.models import Flag, Notice, Severity, SpotCheck
from supervision.spotchecks import Candidate, draw_sample
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_same_seed_draws_the_same_projects_whatever_the_input_order():
    pool = [Candidate(pk, red=pk % 4 == 0) for pk in range(1, 21)]
    first = [c.pk for c in draw_sample(pool, 5, seed=20261120, weight_red=True)]
    again = [c.pk for c in draw_sample(list(reversed(pool)), 5, seed=20261120, weight_red=True)]
    assert first == again and len(set(first)) == 5
    assert [c.pk for c in draw_sample(pool, 5, seed=20261121, weight_red=True)] != first
    plain = [c.pk for c in draw_sample(pool, 5, seed=7, weight_red=False)]
    assert plain == [c.pk for c in draw_sample(pool[::-1], 5, seed=7, weight_red=False)]


def test_k_larger_than_the_pool_draws_everyone_once():
    pool = [Candidate(pk) for pk in (3, 1, 2)]
    assert sorted(c.pk for c in draw_sample(pool, 10, seed=1, weight_red=True)) == [1, 2, 3]
    assert draw_sample(pool, 0, seed=1, weight_red=False) == []


def test_weighting_makes_red_projects_more_likely():
    pool = [Candidate(pk, red=pk <= 5) for pk in range(1, 21)]
    weighted, plain = Counter(), Counter()
    for seed in range(2000):
        weighted.update(c.red for c in draw_sample(pool, 3, seed, True))
        plain.update(c.red for c in draw_sample(pool, 3, seed, False))
    # 5 of 20 are red: a quarter of the draws unweighted, about half with weight 3.
    assert 0.2 < plain[True] / 6000 < 0.3
    assert weighted[True] / 6000 > 0.4


def test_a_stored_draw_is_redrawn_with_the_same_projects_after_the_lights_change(campaign, supervisor):
    projects = [factories.ProjectFactory(campaign=campaign) for _ in range(8)]
    drawn_at = timezone.now() - datetime.timedelta(hours=1)
    Flag.objects.create(project=projects[2], kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=drawn_at - datetime.timedelta(days=2))
    check = spotchecks.draw_spot_check(campaign, title="第一次抽查", planned_on=datetime.date(2026, 11, 20),
                                       sample_size=3, weight_red=True, seed=424242,
                                       created_by=supervisor, now=drawn_at)
    stored = set(check.projects.values_list("pk", flat=True))
    assert len(stored) == 3 and check.seed == 424242 and check.sample_size == 3
    # Later the red project recovers and another goes red: the redraw reads the lights at the draw.
    Flag.objects.filter(project=projects[2]).update(resolved_at=timezone.now())
    Flag.objects.create(project=projects[5], kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED)
    assert set(spotchecks.redraw(check)) == stored
    expected = draw_sample([Candidate(p.pk, p.pk == projects[2].pk) for p in projects], 3, 424242, True)
    assert [c.pk for c in expected] == spotchecks.redraw(check)


def test_a_draw_larger_than_the_campaign_is_refused_beside_the_field(client, campaign, supervisor):
    factories.ProjectFactory(campaign=campaign)
    client.force_login(supervisor)
    response = client.post(reverse("spotcheck_new", args=["random"]), {
        "campaign": campaign.pk, "title": "抽查", "planned_on": "2026-11-20", "sample_size": 5})
    assert response.status_code == 200
    assert "The campaign has only 1 projects." in response.content.decode()
    assert 'value="抽查"' in response.content.decode()
    with pytest.raises(ValidationError):
        spotchecks.draw_spot_check(campaign, title="x", planned_on=datetime.date(2026, 11, 20),
                                   sample_size=0)


def test_the_page_redraws_and_a_finding_becomes_a_notice(client, campaign, supervisor, project, leader):
    factories.ProjectFactory(campaign=campaign)
    client.force_login(supervisor)
    response = client.post(reverse("spotcheck_new", args=["random"]), {
        "campaign": campaign.pk, "title": "不定期抽查", "planned_on": "2026-11-20", "sample_size": 2,
        "weight_red": "on"})
    check = SpotCheck.objects.get()
    assert response.url == reverse("spotcheck_detail", args=[check.pk])
    page = client.get(response.url).content.decode()
    assert str(check.seed) in page and 'id="redraw-ok"' in page
    client.post(reverse("finding_add", args=[check.pk]),
                {"project": project.pk, "description": "现场未见安全围挡", "rectify_by": "2026-11-27"})
    finding = check.findings.get()
    response = client.post(reverse("finding_notice", args=[check.pk, finding.pk]),
                           {f"finding-{finding.pk}-required_action": "立即设置围挡"})
    notice = Notice.objects.get()
    assert response.url == reverse("notice_detail", args=[notice.pk])
    assert notice.status == Notice.Status.DRAFT and notice.issued_to == leader
    assert "现场未见安全围挡" in notice.reason
    finding.refresh_from_db()
    assert finding.notice == notice
    response = client.post(reverse("finding_notice", args=[check.pk, finding.pk]),
                           {f"finding-{finding.pk}-required_action": "again"})
    assert Notice.objects.count() == 1


def test_a_scheduled_inspection_lists_the_chosen_projects(client, campaign, supervisor, project):
    client.force_login(supervisor)
    response = client.post(reverse("spotcheck_new", args=["scheduled"]), {
        "campaign": campaign.pk, "title": "第三周定期检查", "planned_on": "2026-11-21",
        "projects": [project.pk]})
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and list(check.projects.all()) == [project]
    response = client.post(reverse("spotcheck_new", args=["scheduled"]), {
        "campaign": campaign.pk, "title": "空检查", "planned_on": "2026-11-21"})
    assert response.status_code == 200 and SpotCheck.objects.count() == 1


def test_spot_checks_are_the_supervision_groups(client, leader, observer, outsider, supervisor, campaign):
    check = spotchecks.plan_inspection(campaign, title="检查", planned_on=datetime.date(2026, 11, 20),
                                       projects=[factories.ProjectFactory(campaign=campaign)],
                                       created_by=supervisor)
    client.force_login(leader)
    assert client.get(reverse("spotcheck_list")).status_code == 403
    client.force_login(observer)  # reads them (the test below)
    assert client.get(reverse("spotcheck_new", args=["random"])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("spotcheck_detail", args=[check.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_the_spot_check_list_runs_a_fixed_number_of_queries(postgres, client, campaign, supervisor,
                                                            django_assert_num_queries, count):
    projects = [factories.ProjectFactory(campaign=campaign) for _ in range(3)]
    for i in range(count):
        spotchecks.draw_spot_check(campaign, title=f"抽查{i}", planned_on=datetime.date(2026, 11, 20),
                                   sample_size=2, created_by=supervisor)
        spotchecks.plan_inspection(campaign, title=f"检查{i}", planned_on=datetime.date(2026, 11, 20),
                                   projects=projects, created_by=supervisor)
    client.force_login(supervisor)
    # 1 session, 2 user with profile, 3 the user's groups (roles), 4 its unit, 5 the units below
    # the town (none), 6 the campaign, 7 the unread notification count of the bell, 8 the spot
    # checks with their project and finding counts, creator and creator's profile.
    # On PostgreSQL the user row carries their roles, unit scope and unread count
    # (web.auth.UserBackend): the session, user, unit, roles and bell queries listed below are
    # two (the session and that user row).
    with django_assert_num_queries(4):
        response = client.get(reverse("spotcheck_list"))
    assert response.content.decode().count("spotcheck_detail") == 0
    assert response.content.decode().count("/supervision/spot-checks/") >= 2 * count


# --- 整改时限 of findings ----------------------------------------------------------------------


def _inspection(campaign, project, supervisor, planned_on):
    return spotchecks.plan_inspection(campaign, title="定期检查", planned_on=planned_on,
                                      projects=[project], created_by=supervisor)


@pytest.mark.parametrize(("deadline", "error"), [
    ("", "这个字段是必填项。"),
    ("2026-11-19", "整改时限不能早于检查日期（2026-11-20）。"),
    ("2027-01-17", "整改时限须在攻坚行动期间内（2026-10-09至2027-01-16）。"),
])
def test_a_finding_deadline_outside_the_campaign_or_before_the_check_is_refused_beside_the_field(
        client, campaign, project, supervisor, deadline, error):
    check = _inspection(campaign, project, supervisor, datetime.date(2026, 11, 20))
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"  # this page in Chinese
    response = client.post(reverse("finding_add", args=[check.pk]),
                           {"project": project.pk, "description": "现场未见安全围挡", "rectify_by": deadline})
    assert response.status_code == 400
    assert response.context["finding_form"].errors["rectify_by"] == [error]
    assert "现场未见安全围挡" in response.content.decode()  # nothing typed is lost
    assert not check.findings.exists()


def test_a_deadline_on_the_check_day_and_on_the_last_day_of_the_campaign_is_taken(
        client, campaign, project, supervisor):
    check = _inspection(campaign, project, supervisor, datetime.date(2026, 11, 20))
    client.force_login(supervisor)
    for day in ("2026-11-20", campaign.end_date.isoformat()):
        response = client.post(reverse("finding_add", args=[check.pk]),
                               {"project": project.pk, "description": f"问题{day}", "rectify_by": day})
        assert response.status_code == 302
    assert sorted(check.findings.values_list("rectify_by", flat=True)) == [
        datetime.date(2026, 11, 20), campaign.end_date]


def test_an_overdue_finding_is_marked_in_red_until_it_is_confirmed_rectified(
        client, campaign, project, supervisor, leader):
    today = timezone.localdate()
    check = _inspection(campaign, project, supervisor, today - datetime.timedelta(days=10))
    late = spotchecks.record_finding(check, project, "资料台账不全", supervisor,
                                     rectify_by=today - datetime.timedelta(days=1))
    on_time = spotchecks.record_finding(check, project, "安全帽佩戴不规范", supervisor,
                                        rectify_by=today + datetime.timedelta(days=2))
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"  # these pages in Chinese
    page = client.get(reverse("spotcheck_detail", args=[check.pk])).content.decode()

    def card(finding, html):
        start = html.index(f'id="finding-{finding.pk}"')
        return html[start:html.index("</div></div>", start)]

    assert "gj-overdue" in card(late, page) and "已逾期" in card(late, page)
    assert "gj-overdue" not in card(on_time, page)
    assert (today - datetime.timedelta(days=1)).isoformat() in card(late, page)
    listing = client.get(reverse("spotcheck_list")).content.decode()
    row = listing[listing.index("定期检查"):]
    assert re.search(r'<td>2 · <span class="gj-overdue[^"]*">已逾期1项</span>', row)

    # The project's leader has it on 待办, overdue, one tap from the project page's finding.
    client.force_login(leader)
    items = [i for i in client.get(reverse("todo")).context["items"] if i["kind"] == "finding"]
    assert [(i["title"].endswith("资料台账不全"), i["overdue"]) for i in items] == [
        (True, True), (False, False)]
    assert items[0]["url"].endswith(f"#finding-{late.pk}")
    project_page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert f'id="finding-{late.pk}"' in project_page

    client.force_login(supervisor)
    for _ in range(2):  # a second click changes nothing
        response = client.post(reverse("finding_rectified", args=[check.pk, late.pk]))
        assert response.status_code == 302
    late.refresh_from_db()
    assert late.rectified_on == today
    page = client.get(reverse("spotcheck_detail", args=[check.pk])).content.decode()
    assert "gj-overdue" not in card(late, page)
    client.force_login(leader)
    assert [i["title"] for i in client.get(reverse("todo")).context["items"]
            if i["kind"] == "finding"] == [f"定期检查：{on_time.description}"]


@pytest.mark.parametrize("kind, extra", [("scheduled", {}), ("random", {"sample_size": 1})])
def test_a_check_planned_outside_the_campaign_is_refused_beside_the_field(
        client, campaign, project, supervisor, kind, extra):
    """A check dated outside the campaign (2026-10-09 to 2027-01-16) could take no finding (their
    deadlines must be within it): refused beside its date, what was typed kept."""
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("spotcheck_new", args=[kind]), {
        "campaign": campaign.pk, "title": "年后回头看", "planned_on": "2027-02-20",
        "projects": [project.pk], **extra})
    assert response.status_code == 200
    assert response.context["form"].errors["planned_on"] == [
        "检查日期须在攻坚行动期间内（2026-10-09至2027-01-16）。"]
    assert 'value="年后回头看"' in response.content.decode()
    assert not SpotCheck.objects.exists()
    with pytest.raises(ValidationError):
        spotchecks.plan_inspection(campaign, title="x", planned_on=datetime.date(2026, 10, 8),
                                   projects=[project], created_by=supervisor)
    # Its first and last days are the campaign's.
    for day in (campaign.start_date, campaign.end_date):
        spotchecks.plan_inspection(campaign, title=str(day), planned_on=day, projects=[project],
                                   created_by=supervisor)


def test_the_higher_office_reads_the_spot_checks_without_their_buttons(client, campaign, project,
                                                                      supervisor, observer):
    """Found by the higher office's walk: the spot-check list answered 403 "只有督查组可以执行此
    操作" to the office that reads every other supervision page."""
    check = spotchecks.plan_inspection(campaign, title="第三周定期检查",
                                       planned_on=datetime.date(2026, 11, 20), projects=[project],
                                       created_by=supervisor)
    spotchecks.record_finding(check, project, "现场未见安全围挡", supervisor,
                              rectify_by=datetime.date(2026, 11, 27))
    client.force_login(observer)
    listing = client.get(reverse("spotcheck_list") + f"?campaign={campaign.pk}")
    assert listing.status_code == 200 and "第三周定期检查" in listing.content.decode()
    assert reverse("spotcheck_new", args=["random"]) not in listing.content.decode()
    page = client.get(reverse("spotcheck_detail", args=[check.pk])).content.decode()
    assert "现场未见安全围挡" in page
    for action in ("finding_add", "spotcheck_done"):
        assert reverse(action, args=[check.pk]) not in page
    assert "<form method=\"post\"" not in page.split("<main", 1)[1]
    # And writing is still refused.
    response = client.post(reverse("spotcheck_done", args=[check.pk]))
    assert response.status_code == 403
