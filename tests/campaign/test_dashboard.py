"""The dashboard (作战图): who sees it, what it shows, its filters, sorting and wall mode."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign, Role
from core.dates import local_date
from projects import services
from projects.models import ProgressReport, Project
from supervision import notify
from supervision.models import Notification
from supervision.scan import scan_campaign
from tests import factories
from tests.projects.conftest import READERS

DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", READERS)
def test_every_role_of_the_town_sees_the_dashboard(client, town, role):
    client.force_login(town.user(role))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["campaign"] == town.campaign
    assert [r["code"] for r in response.context["rows"]] == ["HN-01", "HN-02"]


def test_a_user_of_another_town_sees_no_campaign(client, town):
    client.force_login(town.outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "campaign" not in response.context
    assert town.project.name not in response.content.decode()


def test_asking_for_a_campaign_of_another_town_is_a_404(client, town, caplog):
    client.force_login(town.outsider)
    response = client.get(reverse("dashboard"), {"campaign": town.campaign.pk})
    assert response.status_code == 404
    assert "refused read" in caplog.text


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, town):
    for name in ("dashboard", "dashboard_wall", "dashboard_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_dashboard_shows_day_n_and_the_declared_count_beside_the_real_one(client, town):
    town.campaign.declared_project_count = 18
    town.campaign.save()
    client.force_login(town.leader)
    response = client.get(reverse("dashboard"))
    figures = response.context["figures"]
    assert figures["project_count"] == 2
    assert figures["declared_count"] == 18
    assert figures["count_mismatch"] is True
    body = response.content.decode()
    assert 'data-testid="day-number"' in body
    assert 'gj-mismatch' in body


def test_filters_keep_the_chosen_level_light_and_leader(client, town):
    # Lights as a scan left them, not due for review (a page assesses the ones due first).
    Project.objects.filter(campaign=town.campaign).update(review_at=timezone.now() + DAY)
    Project.objects.filter(pk=town.other_project.pk).update(health="red")
    client.force_login(town.supervisor)
    url = reverse("dashboard")
    assert [r["code"] for r in client.get(url, {"level": "county"}).context["rows"]] == ["HN-02"]
    assert [r["code"] for r in client.get(url, {"light": "red"}).context["rows"]] == ["HN-02"]
    assert [r["code"] for r in client.get(url, {"leader": town.leader.pk}).context["rows"]] == ["HN-01"]
    assert client.get(url, {"light": "yellow"}).context["rows"] == []


def test_the_table_sorts_by_lag_both_ways(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal("90"))
    factories.ProgressReportFactory(project=town.other_project, percent=Decimal("1"))
    client.force_login(town.leader)
    url = reverse("dashboard")
    assert [r["code"] for r in client.get(url, {"sort": "-lag"}).context["rows"]] == ["HN-02", "HN-01"]
    assert [r["code"] for r in client.get(url, {"sort": "lag"}).context["rows"]] == ["HN-01", "HN-02"]
    assert [r["code"] for r in client.get(url, {"sort": "nonsense"}).context["rows"]] == ["HN-01", "HN-02"]


def test_the_progress_bar_marks_the_planned_position(client, town):
    client.force_login(town.leader)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'class="gj-plan-mark"' in body
    assert '<svg class="gj-chart"' in body


def test_the_campaign_switch_picks_another_visible_campaign(client, town):
    older = factories.CampaignFactory(unit=town.campaign.unit, name="去年的百日攻坚",
                                      start_date=datetime.date(2025, 3, 1), status="closed")
    client.force_login(town.leader)
    assert client.get(reverse("dashboard")).context["campaign"] == town.campaign
    assert client.get(reverse("dashboard"), {"campaign": older.pk}).context["campaign"] == older


def test_the_wall_display_refreshes_itself_and_has_no_menu(client, town):
    client.force_login(town.town_admin)
    response = client.get(reverse("dashboard_wall"))
    body = response.content.decode()
    assert response.status_code == 200
    # No meta refresh (axe flags it; a failed reload left an error page on the screen): the
    # static script reloads after data-refresh seconds, only when the server answers.
    assert 'http-equiv="refresh"' not in body
    assert 'id="gj-wall" data-refresh="300"' in body
    assert "gj-navbar" not in body
    assert "<script>" not in body


def test_no_inline_script_on_the_dashboard(client, town):
    client.force_login(town.town_admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert "<script>" not in body and "onclick=" not in body


def _campaign_with(n_projects):
    campaign = factories.CampaignFactory(unit=factories.UnitFactory(name=f"镇{n_projects}"))
    leaders = [factories.UserFactory(roles=[Role.LEADER]) for _ in range(3)]
    for i in range(n_projects):
        project = factories.ProjectFactory(campaign=campaign, leader=leaders[i % 3])
        factories.MilestoneFactory(project=project)
        factories.ProgressReportFactory(project=project)
    scan_campaign(campaign.pk)  # as the scan left them: none due for review
    viewer = factories.UserFactory(roles=[Role.TOWN_ADMIN])
    viewer.profile.unit = campaign.unit
    viewer.profile.save()
    return viewer


@pytest.mark.parametrize("n_projects", [2, 13, 40])
def test_the_dashboard_makes_the_same_number_of_queries_for_2_and_40_projects(postgres,
        client, django_assert_num_queries, n_projects):
    viewer = _campaign_with(n_projects)
    client.force_login(viewer)
    # Without the shared cache: 1 the session; 2 the user with their profile, roles, unit scope
    # and unread count (web.auth.UserBackend, one row); 3 the campaigns they see; the figures
    # (figures.dashboard_figures): 4 the projects with their latest report and their reports of
    # this period, 5 milestones, 6 pause points, 7 each project's last % per day (the curve);
    # 8 the open warnings behind the lights.
    with django_assert_num_queries(8):
        response = client.get(reverse("dashboard"))
    assert len(response.context["rows"]) == n_projects


def test_the_dashboard_reads_as_many_queries_with_many_reports_a_day(postgres, client,
                                                                     django_assert_num_queries):
    viewer = _campaign_with(3)
    campaign = Campaign.objects.get(unit=viewer.profile.unit)
    for project in campaign.projects.all():
        for i in range(30):
            factories.ProgressReportFactory(project=project, percent=Decimal(i),
                                            reported_at=timezone.now() - datetime.timedelta(minutes=i))
    client.force_login(viewer)
    with django_assert_num_queries(8):
        response = client.get(reverse("dashboard"))
    # The curve's point for today is the mean of each project's latest report, read here one
    # project at a time.
    latest = [ProgressReport.objects.filter(project=p).order_by("-reported_at", "-pk")[0].percent
              for p in campaign.projects.all()]
    today = [p for p in response.context["curve"]["points"] if p["date"] == local_date()]
    assert today and today[0]["actual"] == (sum(latest) / len(latest)).quantize(Decimal("0.1"))


def test_with_a_shared_cache_a_second_look_reads_no_figures(client, django_assert_num_queries,
                                                            shared_cache):
    viewer = _campaign_with(13)
    client.force_login(viewer)
    first = client.get(reverse("dashboard")).content.decode()
    # The session, the reader's roles, unit scope and unread count (web.auth.UserBackend), the
    # campaigns they see and the body are cached: one query, the user with their profile.
    with django_assert_num_queries(1):
        second = client.get(reverse("dashboard")).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew every time
    assert token.sub("", second) == token.sub("", first)


def test_with_a_shared_cache_a_new_report_shows_at_once(client, town, shared_cache):
    client.force_login(town.leader)
    url = reverse("dashboard")
    assert "37.5%" not in client.get(url).content.decode()
    services.submit_report(town.project, town.leader, percent=Decimal("37.5"),
                           investment_done=Decimal("10"), work_done="桩基施工")
    response = client.get(url)
    assert "37.5%" in response.content.decode()
    assert [r["progress"] for r in response.context["rows"] if r["code"] == "HN-01"] == [
        Decimal("37.5")]


def test_with_a_shared_cache_the_campaign_switch_is_each_users_own(client, town, shared_cache):
    factories.CampaignFactory(unit=town.campaign.unit, name="去年的百日攻坚",
                              start_date=datetime.date(2025, 3, 1), status="closed")
    client.force_login(town.leader)
    assert "去年的百日攻坚" in client.get(reverse("dashboard")).content.decode()
    client.force_login(town.outsider)
    assert town.project.name not in client.get(reverse("dashboard")).content.decode()


def test_without_redis_the_dashboard_is_computed_and_reports_still_save(client, town, redis_down,
                                                                        caplog):
    client.force_login(town.leader)
    services.submit_report(town.project, town.leader, percent=Decimal("12.5"),
                           investment_done=Decimal("10"), work_done="清表")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "12.5%" in response.content.decode()
    assert client.get(reverse("project_detail", args=[town.project.pk])).status_code == 200
    assert "Exception ignored" in caplog.text  # django-redis, logged to gongjian.cache


def test_with_a_shared_cache_the_bell_counts_a_new_notification_and_a_read_one_at_once(
        client, town, shared_cache):
    scan_campaign(town.campaign.pk)  # the lights as the scan left them, its news to the leader read
    Notification.objects.filter(user=town.leader).update(read_at=timezone.now())
    client.force_login(town.leader)
    assert client.get(reverse("dashboard")).context["unread_notifications"] == 0
    notify.notify([town.leader], kind="report_due", title="本周进度请于周五18:00前填报")
    assert client.get(reverse("dashboard")).context["unread_notifications"] == 1
    client.post(reverse("notifications:read_all"))
    assert client.get(reverse("dashboard")).context["unread_notifications"] == 0


def test_with_a_shared_cache_an_operators_admin_change_shows_at_once(client, town, shared_cache):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser("operator1", "op@example.org", "pw-op-1")
    campaign = town.campaign
    client.force_login(town.leader)
    assert campaign.name in client.get(reverse("dashboard")).content.decode()
    admin_client = type(client)()
    admin_client.force_login(operator)
    url = reverse("admin:campaign_campaign_change", args=[campaign.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["name"] = "改名后的百日攻坚"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "改名后的百日攻坚" in client.get(reverse("dashboard")).content.decode()


def test_a_town_user_lands_on_their_own_towns_campaign_not_a_newer_county_one(client, town):
    county = town.campaign.unit.parent or factories.UnitFactory(name="长乐市", kind="county")
    if town.campaign.unit.parent_id is None:
        town.campaign.unit.parent = county
        town.campaign.unit.save(update_fields=["parent"])
    factories.CampaignFactory(unit=county, name="全市重点项目攻坚",
                              start_date=town.campaign.start_date + datetime.timedelta(days=3))
    client.force_login(town.leader)
    response = client.get(reverse("dashboard"))
    assert response.context["campaign"] == town.campaign


def test_a_campaign_not_yet_started_says_so_and_counts_its_own_days(client, town):
    """20 days before its 100 days: "not started, 20 days to go", never more days left than the
    campaign has, and 本期 is its first reporting week, never a week that ends before it starts."""
    today = local_date()
    Campaign.objects.filter(pk=town.campaign.pk).update(
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=119))
    client.force_login(town.town_admin)
    response = client.get(reverse("dashboard"))
    figures = response.context["figures"]
    assert (figures["day_number"], figures["days_to_start"], figures["days_left"]) == (0, 20, 100)
    assert figures["period_start"] == today + datetime.timedelta(days=20)
    assert figures["period_end"] >= figures["period_start"]
    said = re.search(r'data-testid="days-left">(.*?)</div>', response.content.decode()).group(1)
    assert said == "未开始，还有20天"
