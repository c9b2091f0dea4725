"""The project page: who reads it, what it shows, and its queries stay flat."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import services
from supervision import notices
from supervision.scan import scan_project
from tests import factories
from tests.projects.conftest import READERS, WRITERS, place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", READERS)
def test_every_role_of_the_campaign_reads_the_project(client, town, role):
    client.force_login(town.user(role))
    response = client.get(reverse("project_detail", args=[town.project.pk]))
    assert response.status_code == 200
    assert response.context["can_write"] is (role in WRITERS)
    body = response.content.decode()
    assert town.project.goal in body
    assert (reverse("report_create", args=[town.project.pk]) in body) is (role in WRITERS)


def test_a_user_of_another_town_gets_a_404_and_it_is_logged(client, town, caplog):
    client.force_login(town.outsider)
    response = client.get(reverse("project_detail", args=[town.project.pk]))
    assert response.status_code == 404
    assert f"refused read user={town.outsider.pk} project={town.project.pk}" in caplog.text


def test_a_missing_project_is_a_404(client, town):
    client.force_login(town.town_admin)
    assert client.get(reverse("project_detail", args=[999999])).status_code == 404


def test_the_page_shows_team_milestones_obstacles_hazards_and_history(client, town):
    p = town.project
    factories.MilestoneFactory(project=p, name="路基完成", due_date=datetime.date(2026, 10, 1),
                               planned_percent=Decimal("30"))
    factories.ObstacleFactory(project=p, title="杆线迁改滞后")
    factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=p),
                            description="基坑临边防护缺失")
    services.submit_report(p, town.team_member, percent=Decimal("20"), investment_done=Decimal("100"),
                           work_done="完成清表")
    client.force_login(town.observer)
    response = client.get(reverse("project_detail", args=[p.pk]))
    body = response.content.decode()
    member = town.team_member.profile.full_name
    for text in ("路基完成", "杆线迁改滞后", "基坑临边防护缺失", "完成清表", member):
        assert text in body
    assert 'class="gj-timeline"' in body and '<svg class="gj-chart"' in body
    changes = reverse("project_changes", args=[p.pk])
    assert f'href="{changes}"' in body, "the change history is a page of its own"
    history = client.get(changes).context["history"]
    assert history, "the change history is shown"
    assert any("progress" in " ".join(c.fields).lower() or c.action for c in history)


def test_the_page_shows_the_latest_reports_and_links_to_the_earlier_ones_page_by_page(client, town):
    for i in range(25):
        factories.ProgressReportFactory(project=town.project, percent=Decimal(i),
                                        reported_at=timezone.now() - datetime.timedelta(days=30 - i))
    client.force_login(town.leader)
    response = client.get(reverse("project_detail", args=[town.project.pk]))
    assert [r.percent for r in response.context["latest_reports"]] == [24, 23, 22, 21, 20]
    body = response.content.decode()
    assert "（25）" in body, "the number of every report"
    earlier = reverse("project_reports", args=[town.project.pk])
    assert f'href="{earlier}?page=1"' in body and "更早的填报" in body

    page1 = client.get(earlier).context["reports_page"]
    assert len(page1.object_list) == 10 and page1.paginator.num_pages == 3
    assert page1.object_list[0].percent == Decimal("24")
    assert client.get(earlier, {"page": 3}).context["reports_page"].object_list[-1].percent == 0


def test_with_few_reports_there_is_no_link_to_earlier_ones(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal(5))
    client.force_login(town.leader)
    body = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert "更早的填报" not in body and "（1）" in body


def test_the_pages_of_reports_and_of_changes_are_refused_as_the_project_is(client, town):
    client.force_login(town.outsider)
    for name in ("project_reports", "project_changes"):
        assert client.get(reverse(name, args=[town.project.pk])).status_code == 404
    client.force_login(town.observer)
    for name in ("project_reports", "project_changes"):
        assert client.get(reverse(name, args=[town.project.pk])).status_code == 200


def _project_with_reports(town, n, items=1):
    """The project with n reports of 3 photos each, and `items` obstacles, hazards (each with 3
    photos and, for a major one, a returned and a verified 复核) and spot-check findings."""
    from projects.models import Hazard, HazardPhoto, ObstaclePhoto, ProgressReport, ReportPhoto
    from supervision.models import Finding, HazardReview, SpotCheck

    p = town.project
    factories.MilestoneFactory(project=p)
    reports = [factories.ProgressReportFactory.build(project=p, reported_by=town.leader,
                                                     reported_at=timezone.now() - datetime.timedelta(hours=i))
               for i in range(n)]
    created = ProgressReport.objects.bulk_create(reports)
    ReportPhoto.objects.bulk_create([ReportPhoto(report=r, image="reports/x.jpg")
                                     for r in created for _ in range(3)])
    check = factories.SafetyCheckFactory(project=p)
    spot = SpotCheck.objects.create(campaign=p.campaign, kind=SpotCheck.Kind.SCHEDULED,
                                    title="十月定期检查", planned_on=datetime.date(2026, 10, 15))
    for i in range(items):
        obstacle = factories.ObstacleFactory(project=p, title=f"问题{i}")
        ObstaclePhoto.objects.bulk_create(
            [ObstaclePhoto(obstacle=obstacle, image="obstacles/x.jpg", stage=stage)
             for stage in ("raised", "raised", "resolved")])
        hazard = factories.HazardFactory(check_record=check, description=f"隐患{i}",
                                         level="major", status=Hazard.Status.RECTIFIED,
                                         review_round=2, rectification="已设防护",
                                         rectified_on=datetime.date(2026, 10, 1))
        HazardPhoto.objects.bulk_create([HazardPhoto(hazard=hazard, image="hazards/x.jpg",
                                                     stage=stage)
                                         for stage in ("found", "rectified", "rectified")])
        HazardReview.objects.create(hazard=hazard, round=1, verdict="returned", note=f"退回{i}",
                                    reviewed_by=town.supervisor)
        HazardReview.objects.create(hazard=hazard, round=2, verdict="verified",
                                    reviewed_by=town.supervisor if i % 2 else None)
        Finding.objects.create(spot_check=spot, project=p, description=f"发现问题{i}",
                               rectify_by=datetime.date(2026, 11, 1))
    scan_project(p.pk)  # as the scan left it: not due for review (a page assesses a due one)
    return p


@pytest.mark.parametrize(("n_reports", "items"), [(2, 1), (200, 25)])
def test_without_the_cache_the_project_page_makes_the_same_number_of_queries_for_little_and_much(
        postgres, client, town, django_assert_num_queries, n_reports, items):
    p = _project_with_reports(town, n_reports, items)
    client.force_login(town.team_member)
    # 1 the session; 2 the user with their profile, roles, unit scope and unread count (on
    # PostgreSQL one row, web.auth.UserBackend); 3 the project with its campaign, leader and
    # listing unit and whether the reader is on its team; the body (no shared cache here): 4 its
    # number of reports and its lists in one row (core.rowlists): milestones, chart points,
    # obstacles and hazards with their photos, the hazards' reviews with their reviewers, flags,
    # action items, spot-check findings, team, plan versions, notices and the latest reports
    # with their photos. The older reports and the change history are pages of their own.
    with django_assert_num_queries(4):
        response = client.get(reverse("project_detail", args=[p.pk]))
    assert response.context["report_count"] == n_reports
    assert len(response.context["latest_reports"]) == min(n_reports, 5)
    body = response.content.decode()
    # Every photo shown: 3 per report shown, per obstacle and per hazard.
    assert body.count('class="gj-photo"') == 3 * min(n_reports, 5) + 3 * items + 3 * items
    assert body.count("gj-hazard-review ") == 2 * items
    assert body.count('id="finding-') == items
    supervisor = town.supervisor.profile.full_name
    assert body.count(f"{supervisor} · ") == items + items // 2, "the reviewers by name"


@pytest.mark.parametrize("n_reports", [12, 40])
def test_the_pages_of_reports_make_the_same_number_of_queries_for_12_and_40_reports(
        postgres, client, town, django_assert_num_queries, n_reports):
    p = _project_with_reports(town, n_reports)
    client.force_login(town.team_member)
    # 1 the session, 2 the user (one row on PostgreSQL), 3 the project with its campaign and
    # whether the reader is on its team, 4 the number of reports, 5 the page of reports with
    # their reporters, 6 their photos.
    with django_assert_num_queries(6):
        response = client.get(reverse("project_reports", args=[p.pk]), {"page": 2})
    page = response.context["reports_page"]
    assert page.paginator.count == n_reports and len(page.object_list) == min(10, n_reports - 10)
    assert response.content.decode().count('class="gj-photo"') == 3 * len(page.object_list)


def _page(client, user, project, **params) -> str:
    if user is not None:
        client.force_login(user)
    body = client.get(reverse("project_detail", args=[project.pk]), params).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_with_a_shared_cache_a_second_look_reads_only_the_user(
        client, town, django_assert_num_queries, shared_cache):
    p = _project_with_reports(town, 30)
    first = _page(client, town.team_member, p)
    # The session, the reader's roles, unit scope and unread count, the project with its
    # campaign and team (what access is decided from) and the body come from the cache; one
    # query, the user with their profile (Django's session check needs the row).
    with django_assert_num_queries(1):
        assert _page(client, None, p) == first


def _name_in_header(page: str) -> str:
    return re.search(r'data-bs-toggle="dropdown" aria-expanded="false">([^<]+)</a>', page).group(1)


def _main(page: str) -> str:
    """What is below the menu: the cached body (and nothing else on this page)."""
    return page[page.index("<main"):page.index("</main>")]


def test_with_a_shared_cache_a_second_reader_with_the_same_access_gets_the_body_from_the_cache(
        town, django_assert_num_queries, shared_cache):
    p = _project_with_reports(town, 30)
    second = place(factories.UserFactory(username="cadre9", roles=["team_member"],
                                         profile__full_name="第二位组员"), town.campaign.unit)
    factories.AssignmentFactory(project=p, user=second)
    url = reverse("project_detail", args=[p.pk])
    first_reader = Client(enforce_csrf_checks=True)
    first_reader.force_login(town.team_member)
    first = first_reader.get(url).content.decode()
    other = Client(enforce_csrf_checks=True)
    other.force_login(second)
    other.get(reverse("todo"))  # their own roles and unread count are read once, and cached
    with django_assert_num_queries(1):  # the user row only: the body is the first reader's
        page = other.get(url).content.decode()

    assert _main(page) == _main(first)
    # What is the reader's own stays theirs: the name in the menu, and the CSRF token of the
    # forms in it (the language switch), which only their own session accepts.
    assert _name_in_header(first) == town.team_member.profile.full_name
    assert _name_in_header(page) == "第二位组员"
    for body in (first, page):
        assert "csrfmiddlewaretoken" not in _main(body) and 'name="once"' not in _main(body)
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    switch = reverse("set_language")
    own = {"language": "en", "next": url, "csrfmiddlewaretoken": token.search(page).group(1)}
    theirs = {**own, "csrfmiddlewaretoken": token.search(first).group(1)}
    assert other.post(switch, theirs).status_code == 403
    assert other.post(switch, own).status_code == 302


def test_with_a_shared_cache_each_reader_sees_their_own_buttons_and_notices(client, town,
                                                                           shared_cache):
    p = town.project
    notices.create_draft_notice(p, reason="进度滞后草稿", required_action="说明原因")
    report = reverse("report_create", args=[p.pk])
    member = _page(client, town.team_member, p)
    observer = _page(client, town.observer, p)
    supervisor = _page(client, town.supervisor, p)
    assert report in member and report not in observer and report not in supervisor
    assert "进度滞后草稿" in supervisor and "进度滞后草稿" not in member + observer


def test_with_a_shared_cache_a_write_shows_at_once(client, town, shared_cache):
    p = town.project
    assert "杆线迁改滞后" not in _page(client, town.observer, p)
    services.record_obstacle(p, town.team_member, title="杆线迁改滞后", category="other",
                             due_date=datetime.date(2026, 12, 1))
    services.submit_report(p, town.team_member, percent=Decimal("41.5"),
                           investment_done=Decimal("100"), work_done="完成桩基")
    body = _page(client, town.observer, p)
    assert "杆线迁改滞后" in body and "41.5%" in body
    changes = client.get(reverse("project_changes", args=[p.pk])).content.decode()
    assert "杆线迁改滞后" in changes, "and in the change history"



def test_with_a_shared_cache_a_team_change_changes_who_may_write_at_once(client, town,
                                                                        shared_cache):
    p = town.project
    report = reverse("report_create", args=[p.pk])
    assert report not in _page(client, town.other_member, p)
    joined = factories.AssignmentFactory(project=p, user=town.other_member)
    assert report in _page(client, None, p)
    joined.delete()
    assert report not in _page(client, None, p)
    p.leader = town.other_member
    p.save()
    assert report in _page(client, None, p)


def test_with_a_shared_cache_a_project_or_campaign_moved_away_is_a_404_at_once(client, town,
                                                                               shared_cache):
    p = town.project
    url = reverse("project_detail", args=[p.pk])
    client.force_login(town.observer)
    assert client.get(url).status_code == 200
    client.force_login(town.supervisor)
    assert client.get(url).status_code == 200
    elsewhere = factories.CampaignFactory(unit=town.outsider.profile.unit, name="潭头镇百日攻坚")
    p.campaign = elsewhere
    p.save()
    assert client.get(url).status_code == 404, "the project went to another town's campaign"
    client.force_login(town.outsider)
    assert client.get(url).status_code == 200
    client.force_login(town.supervisor)
    other = town.other_project
    assert client.get(reverse("project_detail", args=[other.pk])).status_code == 200
    town.campaign.unit = town.outsider.profile.unit
    town.campaign.save()
    assert client.get(reverse("project_detail", args=[other.pk])).status_code == 404


def test_without_redis_the_project_page_is_read_from_the_database(client, town, redis_down):
    p = town.project
    report = reverse("report_create", args=[p.pk])
    assert report not in _page(client, town.other_member, p)
    factories.AssignmentFactory(project=p, user=town.other_member)
    assert report in _page(client, None, p)
    client.force_login(town.outsider)
    assert client.get(reverse("project_detail", args=[p.pk])).status_code == 404


def test_labels_end_in_the_full_width_colon_in_chinese_and_in_a_colon_and_space_in_english(
        client, town):
    services.submit_report(town.project, town.team_member, percent=Decimal("20"),
                           investment_done=Decimal("100"), work_done="完成清表")
    client.force_login(town.observer)
    url = reverse("project_detail", args=[town.project.pk])
    body = client.get(url).content.decode()
    assert "已完成工作：</span>完成清表" in body
    assert "已完成工作:" not in body

    client.cookies["django_language"] = "en"
    body = client.get(url).content.decode()
    assert "Work done: </span>完成清表" in body


def test_notes_in_brackets_and_the_change_history_read_as_chinese(client, town):
    p = town.project
    obstacle = factories.ObstacleFactory(project=p, title="杆线迁改滞后")
    today = timezone.localdate()
    services.resolve_obstacle(obstacle, town.team_member, resolution="已完成迁改", resolved_on=today)
    client.force_login(town.observer)
    url = reverse("project_detail", args=[p.pk])
    changes = reverse("project_changes", args=[p.pk])
    body = client.get(url).content.decode()
    assert f"{p.code} · {p.listed_by.name}级 · " in body  # as the bulletin names it
    assert f"已完成迁改（{today:%Y-%m-%d}）" in body
    assert "问题“杆线迁改滞后”修改：状态、解决情况" in client.get(changes).content.decode()
    assert "«" not in body and f" ({today:%Y-%m-%d})" not in body

    client.cookies["django_language"] = "en"
    body = client.get(url).content.decode()
    assert f"{p.listed_by.name} level" in body and f"已完成迁改 ({today:%Y-%m-%d})" in body
    assert "“杆线迁改滞后” changed: " in client.get(changes).content.decode()


def test_with_a_shared_cache_a_deleted_project_is_a_404_at_once(client, town, shared_cache):
    url = reverse("project_detail", args=[town.project.pk])
    client.force_login(town.observer)
    assert client.get(url).status_code == 200
    town.project.delete()
    assert client.get(url).status_code == 404


def test_the_lists_read_with_the_project_are_the_lists_read_one_query_each(postgres, town):
    """core.rowlists on PostgreSQL gives the same rows, field by field, as the queries the page
    makes on other databases."""
    from campaign.people import name_of
    from projects.models import ActionItem
    from web import views_projects

    p = town.project
    factories.MilestoneFactory(project=p, name="路基完成", due_date=datetime.date(2026, 10, 1),
                               planned_percent=Decimal("30.5"))
    factories.MilestoneFactory(project=p, name="桥梁合龙", due_date=datetime.date(2026, 11, 1),
                               planned_percent=Decimal("60"), completed_on=datetime.date(2026, 11, 3))
    factories.ObstacleFactory(project=p, title="杆线迁改滞后",
                              responsible_unit=factories.UnitFactory(name="供电所"))
    factories.ObstacleFactory(project=p, title="用地未交付", responsible_unit=None)
    factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=p),
                            description="基坑临边防护缺失")
    services.submit_report(p, town.team_member, percent=Decimal("20.5"),
                           investment_done=Decimal("100"), work_done="完成清表")
    factories.ProgressReportFactory(project=p, percent=Decimal("21"))
    from supervision.models import Flag

    Flag.objects.create(project=p, kind=Flag.Kind.BEHIND_PLAN, severity="yellow",
                        details={"since": "2026-10-02", "lag": "12.5"})
    meeting = factories.MeetingFactory(campaign=p.campaign, title="第三次专题会")
    ActionItem.objects.create(meeting=meeting, project=p, description="协调供电所",
                              owner=town.team_member, due_date=datetime.date(2026, 12, 1))

    from projects.models import Hazard, HazardPhoto, ObstaclePhoto
    from supervision.models import Finding, HazardReview, SpotCheck

    obstacle = p.obstacles.get(title="杆线迁改滞后")
    ObstaclePhoto.objects.create(obstacle=obstacle, image="obstacles/a.jpg", stage="raised",
                                 taken_at=timezone.now() - datetime.timedelta(days=3))
    ObstaclePhoto.objects.create(obstacle=obstacle, image="obstacles/b.jpg", stage="resolved",
                                 taken_before_period=True)
    check = factories.SafetyCheckFactory(project=p, checked_on=datetime.date(2026, 9, 9))
    major = factories.HazardFactory(check_record=check, description="脚手架未验收", level="major",
                                    status=Hazard.Status.AWAITING_REVIEW, review_round=1,
                                    rectify_by=datetime.date(2026, 9, 1), rectification="已验收",
                                    rectified_on=datetime.date(2026, 9, 10))
    HazardPhoto.objects.create(hazard=major, image="hazards/a.jpg", stage="found")
    HazardPhoto.objects.create(hazard=major, image="hazards/b.jpg", stage="rectified")
    HazardReview.objects.create(hazard=major, round=0, verdict="returned", note="仍有缺口",
                                reviewed_by=town.supervisor, photo="reviews/x.jpg",
                                photo_taken_at=timezone.now())
    HazardReview.objects.create(hazard=major, round=1, verdict="verified", reviewed_by=None)
    spot = SpotCheck.objects.create(campaign=p.campaign, kind=SpotCheck.Kind.SCHEDULED,
                                    title="十月定期检查", planned_on=datetime.date(2026, 10, 15))
    Finding.objects.create(spot_check=spot, project=p, description="围挡破损",
                           rectify_by=datetime.date(2026, 11, 1))
    Finding.objects.create(spot_check=spot, project=p, description="资料不全",
                           rectified_on=datetime.date(2026, 10, 20))

    from projects.models import PlanVersion, ReportPhoto
    from supervision.models import Notice

    factories.AssignmentFactory(project=p, user=town.leader, role="lead",
                                unit=factories.UnitFactory(name="水利站"))
    PlanVersion.record(p, list(p.milestones.all()), kind=PlanVersion.Kind.ORIGINAL,
                       in_force_from=p.planned_start, reason="", user=None)
    PlanVersion.record(p, list(p.milestones.all()), kind=PlanVersion.Kind.REPLAN,
                       in_force_from=datetime.date(2026, 10, 1), reason="征地延后",
                       user=town.town_admin)
    ReportPhoto.objects.create(report=p.reports.order_by("pk").first(), image="reports/a.jpg",
                               taken_before_period=True)
    Notice.objects.create(campaign=p.campaign, project=p, issued_to=p.leader, reason="进度滞后",
                          required_action="a", status=Notice.Status.ISSUED, number="湖督1号",
                          respond_by=datetime.date(2026, 10, 9))
    Notice.objects.create(campaign=p.campaign, project=p, issued_to=p.leader, reason="草稿",
                          required_action="a")
    together = views_projects._lists(p, True, together=True)
    apart = views_projects._lists(p, True, together=False)
    for name in ("team", "plan_versions", "reports", "notices"):
        same_fields = [[getattr(x, f.attname) for f in type(x)._meta.concrete_fields]
                       for x in together[name]]
        assert same_fields == [[getattr(x, f.attname) for f in type(x)._meta.concrete_fields]
                               for x in apart[name]] and same_fields, name
    assert together["report_count"] == apart["report_count"] == 2
    assert [[(ph.image.name, ph.taken_before_period) for ph in r.photo_list]
            for r in together["reports"]] == [[(ph.image.name, ph.taken_before_period)
                                               for ph in r.photo_list] for r in apart["reports"]]
    assert [ph.image.name for r in together["reports"] for ph in r.photo_list] == ["reports/a.jpg"]
    assert [(name_of(r.reported_by), r.reported_by.pk) for r in together["reports"]] \
        == [(name_of(r.reported_by), r.reported_by.pk) for r in apart["reports"]]
    assert [(name_of(a.user), a.user.profile.phone, a.unit.name if a.unit else None)
            for a in together["team"]] == [(name_of(a.user), a.user.profile.phone,
                                             a.unit.name if a.unit else None)
                                            for a in apart["team"]]
    assert [name_of(v.created_by, "-") for v in together["plan_versions"]] \
        == [name_of(v.created_by, "-") for v in apart["plan_versions"]] \
        == ["-", town.town_admin.profile.full_name]
    assert together["plan_versions"][1].milestones == apart["plan_versions"][1].milestones
    assert [str(n) for n in together["notices"]] == [str(n) for n in apart["notices"]]
    assert len(together["notices"]) == 2
    assert [str(n) for n in views_projects._lists(p, False, together=True)["notices"]] \
        == [str(n) for n in views_projects._lists(p, False, together=False)["notices"]] \
        == ["湖督1号"]
    # two reports today: one point, the later one's
    assert together["chart"] == apart["chart"] and [pct for _day, pct in apart["chart"]] == [
        Decimal("21")]

    def same(name, rows_a, rows_b):
        assert rows_b, name
        for a, b in zip(rows_a, rows_b, strict=True):
            for field in type(b)._meta.concrete_fields:
                assert getattr(a, field.attname) == getattr(b, field.attname), (name, field.name)

    for name in ("milestones", "obstacles", "hazards", "flags", "action_items", "findings"):
        same(name, together[name], apart[name])
    same("obstacle photos", together["obstacles"][0].photo_list, apart["obstacles"][0].photo_list)
    assert [len(o.raised_photos) + 10 * len(o.resolved_photos) for o in together["obstacles"]] \
        == [len(o.raised_photos) + 10 * len(o.resolved_photos) for o in apart["obstacles"]]
    assert [h.description for h in apart["hazards"]][-1] == "脚手架未验收", "awaiting review last"
    together_major, apart_major = together["hazards"][-1], apart["hazards"][-1]
    same("hazard photos", together_major.photo_list, apart_major.photo_list)
    same("hazard reviews", together_major.review_list, apart_major.review_list)
    assert [len(together_major.found_photos), len(together_major.rectified_photos)] == [1, 1]
    assert [name_of(r.reviewed_by) for r in together_major.review_list] \
        == [name_of(r.reviewed_by) for r in apart_major.review_list] \
        == [town.supervisor.profile.full_name, ""]
    assert together_major.review_list[0].photo.name == "reviews/x.jpg"
    assert [(f.spot_check.title, f.spot_check.planned_on) for f in together["findings"]] \
        == [(f.spot_check.title, f.spot_check.planned_on) for f in apart["findings"]] \
        == [("十月定期检查", datetime.date(2026, 10, 15))] * 2
    assert [f.description for f in together["findings"]] == ["围挡破损", "资料不全"]
    assert [o.responsible_unit.name if o.responsible_unit else None for o in together["obstacles"]] \
        == [o.responsible_unit.name if o.responsible_unit else None for o in apart["obstacles"]]
    assert [h.check_record.checked_on for h in together["hazards"]] \
        == [h.check_record.checked_on for h in apart["hazards"]]
    item = together["action_items"][0]
    assert (item.meeting.title, str(item.owner.profile.full_name)) == (
        "第三次专题会", town.team_member.profile.full_name)
    assert isinstance(together["milestones"][0].planned_percent, Decimal)
    assert str(together["milestones"][0].planned_percent) == "30.5"


@pytest.mark.parametrize("together", [True, False])
def test_the_chart_has_one_point_a_local_day_the_days_latest_report(postgres, town, together):
    """However many reports a day (a team correcting its figure), the chart shows the day's latest:
    its size follows the days reported, not the reports (the page stays flat in a long history).
    Local days are Asia/Shanghai's: 23:30 UTC is the next local morning."""
    from web import views_projects

    p = factories.ProjectFactory(campaign=town.campaign)
    utc = datetime.UTC
    made = [  # (reported_at UTC, percent), in the order made
        (datetime.datetime(2026, 10, 5, 1, 0, tzinfo=utc), "10"),    # 10-05 09:00 local
        (datetime.datetime(2026, 10, 5, 3, 0, tzinfo=utc), "12.5"),  # 10-05 11:00: the day's
        (datetime.datetime(2026, 10, 5, 15, 59, tzinfo=utc), "11"),  # 10-05 23:59: latest
        (datetime.datetime(2026, 10, 5, 16, 1, tzinfo=utc), "13"),   # 10-06 00:01 local
        (datetime.datetime(2026, 10, 12, 2, 0, tzinfo=utc), "20"),
        (datetime.datetime(2026, 10, 12, 2, 0, tzinfo=utc), "21"),   # same moment, made later
    ]
    for at, percent in made:
        factories.ProgressReportFactory(project=p, reported_at=at, percent=Decimal(percent))
    chart = views_projects._lists(p, True, together=together)["chart"]
    assert chart == [(datetime.date(2026, 10, 5), Decimal("11")),
                     (datetime.date(2026, 10, 6), Decimal("13")),
                     (datetime.date(2026, 10, 12), Decimal("21"))]
