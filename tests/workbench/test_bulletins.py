"""Bulletins: figures computed from the data, frozen when published, criticism and highlights
listed once, the weekly draft, publishing notifies everyone, and the list's query count."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from projects.services import submit_report
from supervision import bulletins, criticism, highlights
from supervision.models import Bulletin, Flag, Notification, Severity
from supervision.tasks import draft_weekly_bulletins_task
from tests import factories

from .conftest import make_notice

pytestmark = pytest.mark.django_db


def local(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def period(campaign):
    today = timezone.localdate()
    return today - datetime.timedelta(days=6), today


@pytest.fixture
def red_project(campaign, other_leader):
    project = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-03",
                                       name="安置房一期", health=Project.Health.RED)
    factories.ProgressReportFactory(project=project, percent=Decimal("10"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    return project


def test_every_figure_comes_from_the_data(campaign, project, red_project, supervisor, period):
    factories.ProgressReportFactory(project=project, percent=Decimal("40"),
                                    reported_at=timezone.now() - datetime.timedelta(days=2))
    today = timezone.localdate()
    Flag.objects.create(project=red_project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=local(today - datetime.timedelta(days=4)),
                        resolved_at=local(today - datetime.timedelta(days=2)))
    Flag.objects.create(project=red_project, kind=Flag.Kind.MILESTONE_OVERDUE, severity=Severity.RED,
                        opened_at=local(today - datetime.timedelta(days=3)))
    bulletin = bulletins.generate_bulletin(campaign, *period)
    s = bulletin.snapshot
    assert s["headline"]["project_count"] == 2
    assert s["headline"]["declared_count"] == 13 and s["headline"]["count_mismatch"] is True
    assert [r["code"] for r in s["progress"]] == ["HN-03", "HN-01"]  # ranked by lag
    assert s["progress"][0]["rank"] == 1 and s["progress"][0]["progress"] == "10.0"
    assert [r["code"] for r in s["red"]] == ["HN-03"]
    # Red from four days ago to today, the two flags overlapping: five days, counted once.
    assert s["progress"][0]["days_in_red"] == 5
    assert s["most_days_in_red"] == [{"project_id": red_project.pk, "project": "HN-03 安置房一期",
                                      "leader": red_project.leader.profile.full_name, "days": 5}]
    json.dumps(s)  # plain JSON


def test_a_published_bulletin_does_not_change_after_later_reports(
        client, campaign, project, red_project, supervisor, period, leader):
    bulletin = bulletins.generate_bulletin(campaign, *period)
    bulletins.publish_bulletin(bulletin, supervisor)
    frozen = json.dumps(bulletin.snapshot, sort_keys=True)
    client.force_login(supervisor)
    page_before = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()

    submit_report(red_project, red_project.leader, percent=Decimal("95"), investment_done=Decimal("900"),
                  work_done="主体封顶")
    Project.objects.filter(pk=red_project.pk).update(health=Project.Health.GREEN)
    make_notice(project, supervisor, "issued")

    with pytest.raises(bulletins.BulletinRefused):
        bulletins.generate_bulletin(campaign, *period)
    response = client.post(reverse("bulletin_regenerate", args=[bulletin.pk]))
    assert response.status_code == 403
    assert "published and can no longer change" in response.content.decode()
    bulletin.refresh_from_db()
    assert json.dumps(bulletin.snapshot, sort_keys=True) == frozen
    page_after = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    section = page_after.split('id="bulletin-progress"')[1].split("</section>")[0]
    assert section == page_before.split('id="bulletin-progress"')[1].split("</section>")[0]
    # (not a bare "95": a factory-made name such as 干部1295 may hold those digits)
    assert "10.0%" in section and "95.0%" not in section


def test_a_draft_is_refreshed_with_new_figures(campaign, red_project, period):
    bulletin = bulletins.generate_bulletin(campaign, *period)
    factories.ProgressReportFactory(project=red_project, percent=Decimal("30"))
    bulletins.generate_bulletin(campaign, *period)
    bulletin.refresh_from_db()
    assert bulletin.snapshot["progress"][0]["progress"] == "30.0"
    assert Bulletin.objects.count() == 1


def test_publishing_notifies_everyone_once(campaign, project, supervisor, leader, observer, outsider,
                                           period, team_member):
    bulletin = bulletins.generate_bulletin(campaign, *period)
    bulletins.publish_bulletin(bulletin, supervisor)
    notified = set(Notification.objects.filter(kind="bulletin_published")
                   .values_list("user__username", flat=True))
    assert {"dcz1", "leader1", "cadre1", "xiaoneng1"} <= notified
    assert "outsider" not in notified
    with pytest.raises(bulletins.BulletinRefused):
        bulletins.publish_bulletin(bulletin, supervisor)
    assert Notification.objects.filter(kind="bulletin_published", user=leader).count() == 1


def test_confirmed_criticism_and_highlights_are_listed_in_the_next_bulletin_only(
        campaign, project, supervisor, leader, period):
    # Typed with its own full stop: the documents, which end the sentence, do not double it.
    draft = criticism.draft_criticism(project, person=leader, reason="督办单逾期未反馈。")
    bulletin = bulletins.generate_bulletin(campaign, *period)
    assert bulletin.snapshot["criticisms"] == []  # a draft is not listed
    criticism.confirm_criticism(draft, supervisor)
    highlights.create_highlight(campaign, kind="person", title="征迁一线的好干部", body="连续三十天驻村",
                                person_name="黄志伟", created_by=supervisor)
    bulletin = bulletins.generate_bulletin(campaign, *period)
    assert [c["reason"] for c in bulletin.snapshot["criticisms"]] == ["督办单逾期未反馈"]
    assert [h["person"] for h in bulletin.snapshot["highlights"]] == ["黄志伟"]
    bulletins.publish_bulletin(bulletin, supervisor)
    later = bulletins.generate_bulletin(campaign, period[1], period[1])
    assert later.snapshot["criticisms"] == [] and later.snapshot["highlights"] == []


def test_the_bulletin_lists_the_periods_notices_with_the_overdue_ones(campaign, project, supervisor,
                                                                     period):
    closed = make_notice(project, supervisor, "closed")
    overdue = make_notice(project, supervisor, "issued")
    from supervision.models import Notice

    Notice.objects.filter(pk=overdue.pk).update(respond_by=timezone.localdate() - datetime.timedelta(days=2))
    s = bulletins.generate_bulletin(campaign, *period).snapshot
    assert {n["number"] for n in s["notices"]} == {closed.number, overdue.number}
    assert [n["number"] for n in s["overdue_notices"]] == [overdue.number]
    assert s["overdue_notices"][0]["days_overdue"] == 2
    assert s["notice_counts"] == {"in_period": 2, "issued": 2, "closed": 1, "overdue": 1,
                                  "answered_late": 0}


def test_the_weekly_draft_is_made_once_for_the_reporting_week_just_closed(campaign, project):
    monday = datetime.date(2026, 11, 23)
    now = local(monday, 8)
    made = bulletins.draft_weekly_bulletins(now)
    bulletin = Bulletin.objects.get()
    assert made == [bulletin.pk]
    # Friday reports: the week closed at 18:00 on Friday 20 November began on Saturday the 14th.
    assert (bulletin.period_start, bulletin.period_end) == (datetime.date(2026, 11, 14),
                                                           datetime.date(2026, 11, 20))
    assert bulletin.status == Bulletin.Status.DRAFT
    assert bulletins.draft_weekly_bulletins(now) == []
    assert draft_weekly_bulletins_task.name == "supervision.draft_weekly_bulletins"


def test_drafts_are_the_supervision_groups_and_published_ones_everyones(
        client, campaign, project, supervisor, leader, observer, outsider, period):
    bulletin = bulletins.generate_bulletin(campaign, *period)
    client.force_login(leader)
    assert client.get(reverse("bulletin_detail", args=[bulletin.pk])).status_code == 404
    assert client.post(reverse("bulletin_publish", args=[bulletin.pk])).status_code == 403
    client.force_login(supervisor)
    assert client.post(reverse("bulletin_publish", args=[bulletin.pk])).status_code == 302
    for user in (leader, observer):
        client.force_login(user)
        assert client.get(reverse("bulletin_detail", args=[bulletin.pk])).status_code == 200
        assert client.get(reverse("bulletin_print", args=[bulletin.pk])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("bulletin_detail", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("bulletin_xlsx", args=[bulletin.pk])).status_code == 404


def test_a_period_that_ends_before_it_starts_is_refused_beside_the_field(client, campaign, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("bulletin_generate"), {
        "campaign": campaign.pk, "period_start": "2026-11-20", "period_end": "2026-11-10",
        "title": "第六周通报"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The period must end on or after its start." in page and "第六周通报" in page


@pytest.mark.parametrize("count", [1, 6])
def test_the_bulletin_list_runs_a_fixed_number_of_queries(postgres, client, campaign, project, supervisor,
                                                          django_assert_num_queries, count):
    start = campaign.start_date
    for i in range(count):
        b = bulletins.generate_bulletin(campaign, start + datetime.timedelta(days=7 * i),
                                        start + datetime.timedelta(days=7 * i + 6))
        if i % 2:
            bulletins.publish_bulletin(b, supervisor)
    client.force_login(supervisor)
    # 1 session, 2 user with profile, 3 unit, 4 units below the town, 5 the campaign, 6 roles,
    # 7 the bell's unread count, 8 the bulletins with their publisher and publisher's profile.
    # On PostgreSQL the user row carries their roles, unit scope and unread count
    # (web.auth.UserBackend): the session, user, unit, roles and bell queries listed below are
    # two (the session and that user row).
    with django_assert_num_queries(4):
        response = client.get(reverse("bulletin_list"))
    assert response.content.decode().count("/supervision/bulletins/") >= count


def test_the_most_days_in_red_say_days(client, campaign, red_project, supervisor, period):
    today = timezone.localdate()
    Flag.objects.create(project=red_project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=local(today - datetime.timedelta(days=4)))
    bulletin = bulletins.generate_bulletin(campaign, *period)
    client.force_login(supervisor)
    body = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "HN-03 安置房一期 5 days" in body
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "HN-03 安置房一期 5天" in body


def test_a_red_project_ahead_of_plan_is_said_to_be_ahead_not_behind_by_a_negative(
        client, campaign, supervisor, other_leader, period):
    # Red for an overdue milestone while its reported % is past the plan: a negative lag.
    project = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-05",
                                       name="污水管网", health=Project.Health.RED)
    factories.ProgressReportFactory(project=project, percent=Decimal("99"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    bulletin = bulletins.generate_bulletin(campaign, *period)
    [row] = bulletin.snapshot["red"]
    ahead = -Decimal(row["lag"])
    assert ahead > 0
    client.force_login(supervisor)
    url = reverse("bulletin_detail", args=[bulletin.pk])
    body = client.get(url).content.decode()
    assert f"{ahead} points ahead" in body and f"−{ahead}</td>" in body
    assert f"-{ahead} points behind" not in body
    client.cookies["django_language"] = "zh-hans"
    assert f"超前{ahead}个百分点" in client.get(url).content.decode()


def test_the_word_bulletin_is_in_chinese_whatever_the_page_language(client, campaign, supervisor,
                                                                     red_project, period):
    import io

    from docx import Document

    bulletin = bulletins.publish_bulletin(bulletins.generate_bulletin(campaign, *period), supervisor)
    client.force_login(supervisor)  # the page is in English (this folder's fixture)
    response = client.get(reverse("bulletin_docx", args=[bulletin.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    lag = bulletin.snapshot["red"][0]["lag"]
    assert "红灯项目1个：HN-03 安置房一期（" in text and f"滞后{lag}个百分点" in text
    assert "points behind" not in text


def test_the_yellow_list_gives_each_projects_lag_as_the_red_list_does(client, campaign, supervisor,
                                                                      other_leader, period):
    import re

    project = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-06",
                                       name="集镇改造", health=Project.Health.YELLOW)
    factories.ProgressReportFactory(project=project, percent=Decimal("5"),
                                    reported_at=timezone.now() - datetime.timedelta(days=1))
    bulletin = bulletins.generate_bulletin(campaign, *period)
    [row] = bulletin.snapshot["yellow"]
    client.force_login(supervisor)
    body = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    yellow = re.search(r'<p id="bulletin-yellow">.*?</p>', body, re.S).group(0)
    assert "HN-06 集镇改造（" in yellow and bulletins.lag_phrase(row["lag"]) in yellow


def _issued_days_ago(notice, issued_ago: int, respond_by_ago: int):
    """Move a notice issued through the services into the past: issued `issued_ago` days ago, to
    respond by `respond_by_ago` days ago (the notice and its issuing step agree, as issuing
    writes them)."""
    from supervision.models import Notice, NoticeEvent

    today = timezone.localdate()
    issued_at = local(today - datetime.timedelta(days=issued_ago), 9)
    respond_by = today - datetime.timedelta(days=respond_by_ago)
    Notice.objects.filter(pk=notice.pk).update(issued_at=issued_at, respond_by=respond_by)
    NoticeEvent.objects.filter(notice=notice).update(at=issued_at)
    NoticeEvent.objects.filter(notice=notice, action="issued").update(respond_by=respond_by)
    notice.refresh_from_db()
    return respond_by


def test_a_notice_answered_late_then_returned_is_listed_late_with_the_date_it_missed(
        campaign, project, supervisor, period):
    """Found by the supervision group's walk: answered 6 days late, then returned (which gives a
    new date), the bulletin said 0 days overdue beside a criticism of the same lateness."""
    from supervision import notices

    notice = make_notice(project, supervisor, "acknowledged")
    missed = _issued_days_ago(notice, issued_ago=12, respond_by_ago=6)
    notices.respond_to_notice(notice, project.leader, "已制定赶工计划")  # today: 6 days late
    notices.return_notice(notice, supervisor, "措施不具体")
    notice.refresh_from_db()
    assert notice.respond_by > timezone.localdate()  # a new date: not overdue now

    s = bulletins.generate_bulletin(campaign, *period).snapshot
    [row] = s["notices"]
    # By hand: responded today, the date it missed was 6 days ago.
    assert row["days_overdue"] == (timezone.localdate() - missed).days == 6
    assert row["respond_by"] == missed.isoformat()
    assert row["answered_late"] is True and row["overdue"] is False
    assert row["status_label"] == "已退回"
    assert [r["number"] for r in s["overdue_notices"]] == [notice.number]
    assert s["notice_counts"]["overdue"] == 0 and s["notice_counts"]["answered_late"] == 1
    from supervision import exports

    assert "逾期未反馈0份，逾期后反馈1份" in exports.notice_sentence(s)


def test_a_past_periods_bulletin_counts_notices_as_they_stood_at_its_end(
        campaign, project, supervisor):
    """A bulletin for last week, made today: a notice overdue at last week's end and answered
    since is listed overdue then, with the days it was overdue then, and not as answered."""
    from supervision import notices

    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=13), today - datetime.timedelta(days=7)
    notice = make_notice(project, supervisor, "acknowledged")
    missed = _issued_days_ago(notice, issued_ago=14, respond_by_ago=10)
    notices.respond_to_notice(notice, project.leader, "已完成")
    notices.close_notice(notice, supervisor, "核查属实")

    s = bulletins.generate_bulletin(campaign, start, end).snapshot
    [row] = s["notices"]
    assert row["overdue"] is True and row["days_overdue"] == (end - missed).days == 3
    assert row["status_label"] == "已签收" and row["closed_on"] is None
    assert s["notice_counts"]["overdue"] == 1 and s["notice_counts"]["closed"] == 0

    # This week's: answered late (10 days past its date), closed since.
    s = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today).snapshot
    [row] = s["notices"]
    assert row["overdue"] is False and row["answered_late"] is True
    assert row["days_overdue"] == (today - missed).days == 10
    assert s["notice_counts"]["closed"] == 1 and s["notice_counts"]["answered_late"] == 1


def test_the_bulletin_page_and_print_say_a_late_answer_in_words(client, campaign, project,
                                                                supervisor, period):
    from supervision import notices

    notice = make_notice(project, supervisor, "acknowledged")
    _issued_days_ago(notice, issued_ago=9, respond_by_ago=4)
    notices.respond_to_notice(notice, project.leader, "已制定赶工计划")
    bulletin = bulletins.generate_bulletin(campaign, *period)
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "逾期4天后反馈" in page
    printed = client.get(reverse("bulletin_print", args=[bulletin.pk])).content.decode()
    assert "逾期未反馈0份，逾期后反馈1份" in printed


def test_standing_counts_lateness_only_inside_the_period_and_after_the_date():
    """Hand-built steps: answered on its date is not late; a lateness ended before the period is
    not the period's; a return starts a new spell with its own date."""
    from supervision.models import Notice
    from supervision.notices import standing

    d = datetime.date
    notice = Notice(respond_by=d(2026, 12, 20))  # the last date set (the return's)
    steps = [("issued", local(d(2026, 12, 1)), d(2026, 12, 4)),
             ("acknowledged", local(d(2026, 12, 2)), None),
             ("responded", local(d(2026, 12, 4), 23), None),  # on its date
             ("returned", local(d(2026, 12, 5)), d(2026, 12, 8)),
             ("responded", local(d(2026, 12, 11)), None),  # 3 days late
             ("returned", local(d(2026, 12, 12)), d(2026, 12, 20))]
    week = standing(notice, steps, d(2026, 12, 7), d(2026, 12, 13))
    assert (week.status, week.respond_by) == ("returned", d(2026, 12, 20))
    assert (week.days_overdue, week.most_days_late, week.missed) == (0, 3, d(2026, 12, 8))
    # The week after: that lateness ended before it.
    later = standing(notice, steps, d(2026, 12, 14), d(2026, 12, 20))
    assert (later.days_overdue, later.most_days_late) == (0, 0)
    # The first week: answered on its date, then awaiting the second answer (date 12-08) past
    # the end of the period — not yet late on 12-06.
    first = standing(notice, steps, d(2026, 11, 30), d(2026, 12, 6))
    assert (first.status, first.respond_by, first.most_days_late) == ("returned", d(2026, 12, 8), 0)
    # Evening of 12-10: two days past 12-08, awaiting.
    mid = standing(notice, steps, d(2026, 12, 7), d(2026, 12, 10))
    assert (mid.days_overdue, mid.most_days_late, mid.missed) == (2, 2, d(2026, 12, 8))


def test_publishing_a_week_not_yet_over_warns_that_later_reports_are_left_out(
        client, campaign, supervisor):
    """Found by the higher office's walk: 第2期 (12-05 to 12-11) was published on 12-08 and froze
    "本期收到填报 0" without a word. The confirmation says when the period closes."""
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    today = timezone.localdate()
    running = bulletins.generate_bulletin(campaign, today, today + datetime.timedelta(days=6))
    page = client.get(reverse("bulletin_publish", args=[running.pk])).content.decode()
    assert "本期尚未截止" in page
    over = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=13),
                                       today - datetime.timedelta(days=7))
    page = client.get(reverse("bulletin_publish", args=[over.pk])).content.decode()
    assert "本期尚未截止" not in page
