"""The ranking (排名) of leaders and units: its figures worked out by hand from a campaign made
for it (and the lights and notices counted again from the raw rows), worst first, a fixed number
of queries, linked from the dashboard, and as .xlsx."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign.models import Role, Unit
from core.dates import local_date, local_zone
from projects.models import Project
from supervision.models import Notice
from tests import factories
from tests.projects.conftest import place
from tests.workbench.conftest import make_notice

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=local_zone())


class Made:
    """A campaign that began 42 days ago with reports due on its 7th day's weekday at 18:00: six
    reporting weeks have closed, ending 36, 29, 22, 15, 8 and 1 days ago (week 0 to week 5)."""

    def __init__(self):
        today = self.today = local_date()
        start = today - datetime.timedelta(days=42)
        unit = factories.UnitFactory(name="湖南镇", kind=Unit.Kind.TOWN)
        self.campaign = factories.CampaignFactory(
            unit=unit, start_date=start, report_weekday=(start + datetime.timedelta(days=6)).weekday(),
            report_due_time=datetime.time(18, 0))
        self.week_ends = [today - datetime.timedelta(days=d) for d in (36, 29, 22, 15, 8, 1)]
        self.supervisor = place(factories.UserFactory(username="dcz", roles=[Role.SUPERVISOR]), unit)
        self.viewer = place(factories.UserFactory(username="gjb", roles=[Role.TOWN_ADMIN]), unit)
        self.leaders = {name: place(factories.UserFactory(username=f"leader-{name}",
                                                          roles=[Role.LEADER]), unit)
                        for name in "ABC"}
        for name, user in self.leaders.items():
            user.profile.full_name = f"领导{name}"
            user.profile.save(update_fields=["full_name"])
        # The lit projects run 100 days from 52 days ago, without milestones: the plan is 50 % two
        # days ago and 52 % today.
        plan = {"planned_start": today - datetime.timedelta(days=52),
                "planned_end": today + datetime.timedelta(days=48)}

        def project(code, leader, owner, health, **kwargs):
            return factories.ProjectFactory(campaign=self.campaign, code=code, leader=self.leaders[leader],
                                            owner=owner, health=health, **{**plan, **kwargs})

        def report(p, day, percent, hour=10):
            factories.ProgressReportFactory(project=p, percent=Decimal(percent),
                                            reported_at=_at(day, hour))

        before = [end - datetime.timedelta(days=1) for end in self.week_ends]
        # P1: a report every week, the latest 30 % two days ago (plan 50 %): lag 20.0, none missed.
        self.p1 = project("P1", "A", "城投公司", "red")
        for i, day in enumerate(before):
            report(self.p1, day, 5 * (i + 1))
        # P2: weeks 0, 1, 4, 5 and one made an hour after week 2's deadline, which counts for week
        # 3: week 2 is missed. Latest 42 % two days ago: lag 8.0.
        self.p2 = project("P2", "A", "水务集团", "yellow")
        for i in (0, 1, 4):
            report(self.p2, before[i], 10 + i)
        report(self.p2, self.week_ends[2], 20, hour=19)
        report(self.p2, before[5], 42)
        # P3: never reported: all six weeks missed; lag 52.0 (the plan today, nothing reported).
        self.p3 = project("P3", "B", "城投公司", "green")
        # P4: completed with its 100 % report in week 1: it owed weeks 0 and 1, missed week 0.
        self.p4 = project("P4", "B", "水务集团", "done", status=Project.Status.COMPLETED)
        report(self.p4, before[1], 100)
        # P5: paused with a reason 22 days ago: it owed the weeks ending before (0 and 1), sent none.
        self.p5 = project("P5", "C", "湖南镇人民政府", "paused", status=Project.Status.SUSPENDED,
                          pause_approved=True, pause_reason="征迁未完成，经批准暂停")
        Project.objects.filter(pk=self.p5.pk).update(paused_on=today - datetime.timedelta(days=22))
        # P6: starts 10 days ago: owes weeks 4 and 5; reported 6 % five days ago (week 5), when the
        # plan was 5 %: 1.0 ahead, week 4 missed.
        self.p6 = project("P6", "C", "湖南镇人民政府", "green",
                          planned_start=today - datetime.timedelta(days=10),
                          planned_end=today + datetime.timedelta(days=90))
        report(self.p6, today - datetime.timedelta(days=5), 6)
        # Open notices: P1 one issued (its draft and a closed one do not count), P3 one
        # acknowledged, P6 one responded.
        make_notice(self.p1, self.supervisor, "issued")
        make_notice(self.p1, self.supervisor, "draft")
        make_notice(self.p1, self.supervisor, "closed")
        make_notice(self.p3, self.supervisor, "acknowledged")
        make_notice(self.p6, self.supervisor, "responded")


@pytest.fixture
def made(db):
    return Made()


COLUMNS = ("name", "projects", "red", "yellow", "green", "average_lag", "reports_missed",
           "open_notices")


def _rows(rows):
    return [tuple(r[c] for c in COLUMNS) for r in rows]


def test_the_ranking_by_leader_and_by_unit_worst_first(client, made):
    client.force_login(made.viewer)
    response = client.get(reverse("ranking"), {"campaign": made.campaign.pk})
    assert response.status_code == 200
    ranking = response.context["ranking"]
    assert ranking["weeks_closed"] == 6
    # A has the red light; B and C none red nor yellow, B the higher average lag.
    assert _rows(ranking["leaders"]) == [
        ("领导A", 2, 1, 1, 0, Decimal("14.0"), 1, 1),   # (20.0 + 8.0) / 2; P2's week 2
        ("领导B", 2, 0, 0, 1, Decimal("52.0"), 7, 1),   # P3 alone is lit; 6 + 1 missed
        ("领导C", 2, 0, 0, 1, Decimal("-1.0"), 3, 1),   # P6 alone is lit; 2 + 1 missed
    ]
    assert [r["rank"] for r in ranking["leaders"]] == [1, 2, 3]
    assert _rows(ranking["units"]) == [
        ("城投公司", 2, 1, 0, 1, Decimal("36.0"), 6, 2),        # (20.0 + 52.0) / 2
        ("水务集团", 2, 0, 1, 0, Decimal("8.0"), 2, 0),
        ("湖南镇人民政府", 2, 0, 0, 1, Decimal("-1.0"), 3, 1),
    ]
    body = response.content.decode()
    assert "包项目领导排名" in body and "项目业主（责任单位）" in body
    # A leader's name opens the dashboard filtered to their projects.
    assert f"leader={made.leaders['A'].pk}" in body


def test_lights_and_open_notices_agree_with_the_raw_rows(client, made):
    client.force_login(made.viewer)
    ranking = client.get(reverse("ranking"), {"campaign": made.campaign.pk}).context["ranking"]
    by_leader = {r["key"]: r for r in ranking["leaders"]}
    for leader in made.leaders.values():
        mine = list(Project.objects.filter(campaign=made.campaign, leader=leader))
        row = by_leader[leader.pk]
        assert row["projects"] == len(mine)
        for light in ("red", "yellow", "green", "done", "paused"):
            assert row[light] == sum(1 for p in mine if p.health == light)
        open_notices = [n for n in Notice.objects.filter(project__in=mine)
                        if n.status not in ("draft", "closed")]
        assert row["open_notices"] == len(open_notices)


def test_the_dashboard_links_to_the_ranking(client, made):
    client.force_login(made.viewer)
    body = client.get(reverse("dashboard"), {"campaign": made.campaign.pk}).content.decode()
    assert f'href="{reverse("ranking")}?campaign={made.campaign.pk}"' in body


def test_the_ranking_exports_as_xlsx(client, made):
    client.force_login(made.viewer)
    response = client.get(reverse("ranking_export"), {"campaign": made.campaign.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按包项目领导", "按项目业主"]
    leaders = [row for row in book["按包项目领导"].iter_rows(min_row=3, values_only=True)]
    assert leaders[0] == (1, "领导A", 2, 1, 1, 0, 14.0, 1, 1)
    units = [row for row in book["按项目业主"].iter_rows(min_row=3, values_only=True)]
    assert [u[1] for u in units] == ["城投公司", "水务集团", "湖南镇人民政府"]


def test_a_user_of_another_town_cannot_see_the_ranking(client, made):
    outsider = place(factories.UserFactory(roles=[Role.LEADER]),
                     factories.UnitFactory(name="潭头镇", kind=Unit.Kind.TOWN))
    client.force_login(outsider)
    assert client.get(reverse("ranking"), {"campaign": made.campaign.pk}).status_code == 404
    assert client.get(reverse("ranking_export"), {"campaign": made.campaign.pk}).status_code == 404


def _campaign_with(n_projects):
    campaign = factories.CampaignFactory(unit=factories.UnitFactory(name=f"镇{n_projects}"))
    leaders = [factories.UserFactory(roles=[Role.LEADER]) for _ in range(3)]
    supervisor = place(factories.UserFactory(roles=[Role.SUPERVISOR]), campaign.unit)
    for i in range(n_projects):
        project = factories.ProjectFactory(campaign=campaign, leader=leaders[i % 3],
                                           owner=f"业主{i % 4}")
        factories.MilestoneFactory(project=project)
        factories.ProgressReportFactory(project=project)
        make_notice(project, supervisor, "issued")
    return place(factories.UserFactory(roles=[Role.TOWN_ADMIN]), campaign.unit)


@pytest.mark.parametrize("n_projects", [2, 20])
def test_the_ranking_reads_the_same_number_of_queries_for_2_and_20_projects(
        postgres, client, django_assert_num_queries, n_projects):
    client.force_login(_campaign_with(n_projects))
    # Without the shared cache: 1 the session, 2 the user, 3 the campaigns they see; the ranking
    # (supervision.ranking): 4 the projects with their latest report, 5 their milestones, 6 the
    # pause points, 7 their reporting dates and pauses, 8 their reports per closed week, 9 their
    # open notices.
    with django_assert_num_queries(9):
        response = client.get(reverse("ranking"))
    assert sum(r["projects"] for r in response.context["ranking"]["leaders"]) == n_projects
    assert sum(r["open_notices"] for r in response.context["ranking"]["units"]) == n_projects


def test_with_a_shared_cache_a_new_notice_shows_in_the_ranking_at_once(client, town, shared_cache):
    from supervision import notices

    client.force_login(town.supervisor)

    def open_notices():
        rows = client.get(reverse("ranking")).context["ranking"]["leaders"]
        return {r["key"]: r["open_notices"] for r in rows}[town.leader.pk]

    assert open_notices() == 0
    notice = make_notice(town.project, town.supervisor, "issued")
    assert open_notices() == 1
    notices.acknowledge_notice(notice, town.leader)
    notices.respond_to_notice(notice, town.leader, "已整改")
    notices.close_notice(notice, town.supervisor, "核查属实")
    assert open_notices() == 0
