"""One submission, one record: five identical submissions of a create form at the same moment
(threads, each with its own database connection) store one row, and all five land on it; five
concurrent 销号 of one obstacle write one history row."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign import once
from campaign.models import FormToken
from core.dates import local_date
from projects.models import (
    ActionItem,
    Hazard,
    Highlight,
    Meeting,
    Obstacle,
    ProgressReport,
    SafetyCheck,
)
from supervision.models import Criticism, Finding, HazardReview, Notice, SpotCheck

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'<input type="hidden" name="once" value="([0-9a-f]{32})">')


def _token(user, form_url) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(form_url)
    assert page.status_code == 200
    found = TOKEN.findall(page.content.decode())
    assert len(found) == 1, "the form carries one hidden one-time token"
    return found[0]


def _five_at_once(user, url, data):
    """Five clients of `user` post `data` to `url` together; their answers (any failure raised)."""
    clients = [Client() for _ in range(5)]
    for c in clients:
        c.force_login(user)
    barrier = threading.Barrier(len(clients))
    answers, failures = [], []

    def send(c):
        try:
            barrier.wait(timeout=10)
            answers.append(c.post(url, data))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure, a 500 included
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert len(answers) == 5
    return answers


def _cases(project, leader, team_member, supervisor):
    today = local_date().isoformat()
    campaign = project.campaign
    meeting = Meeting.objects.create(campaign=campaign, chaired_by=leader, kind="topic", title="专题会",
                                     held_on=local_date())
    check = SpotCheck.objects.create(campaign=campaign, kind=SpotCheck.Kind.SCHEDULED, title="定期检查",
                                     planned_on=local_date(), created_by=supervisor)
    check.projects.set([project])
    return {
        "report": (team_member, reverse("report_create", args=[project.pk]), {
            "percent": "35.5", "investment_done": "420", "work_done": "完成路基填筑",
            "next_steps": "铺设排水管", "problems": "", "needs_coordination": "", "decrease_reason": ""},
            lambda: ProgressReport.objects.filter(project=project).count()),
        "obstacle": (team_member, reverse("obstacle_create", args=[project.pk]), {
            "title": "杆线迁改滞后", "category": "pole_relocation", "description": "需供电公司配合",
            "due_date": today}, lambda: Obstacle.objects.filter(project=project).count()),
        "hazard": (team_member, reverse("hazard_create", args=[project.pk]), {
            "checked_on": today, "description": "基坑临边防护缺失", "level": "general",
            "rectify_by": today}, lambda: Hazard.objects.count()),
        "meeting": (leader, reverse("meeting_create"), {
            "kind": "site_visit", "title": "现场调研", "held_on": today, "location": "工地",
            "projects": [project.pk], "summary": "研究杆线迁改"},
            lambda: Meeting.objects.filter(title="现场调研").count()),
        "action item": (leader, reverse("action_item_create", args=[meeting.pk]), {
            "description": "三天内完成杆线迁移方案", "owner": team_member.pk, "project": project.pk,
            "due_date": today}, lambda: ActionItem.objects.count()),
        "criticism": (supervisor, reverse("criticism_new") + f"?campaign={campaign.pk}", {
            "campaign": campaign.pk, "project": project.pk, "reason": "连续两周未报送进度"},
            lambda: Criticism.objects.count()),
        "highlight": (supervisor, reverse("highlight_new") + f"?campaign={campaign.pk}", {
            "campaign": campaign.pk, "kind": "person", "title": "征迁一线的好干部", "body": "连续三十天驻村",
            "person_name": "黄志伟", "project": project.pk}, lambda: Highlight.objects.count()),
        "spot check": (supervisor, f'{reverse("spotcheck_new", args=["scheduled"])}?campaign={campaign.pk}', {
            "campaign": campaign.pk, "title": "第三周定期检查", "planned_on": today,
            "projects": [project.pk]}, lambda: SpotCheck.objects.filter(title="第三周定期检查").count()),
        "finding": (supervisor, reverse("spotcheck_detail", args=[check.pk]), {
            "project": project.pk, "description": "现场未见安全围挡", "rectify_by": today},
            lambda: Finding.objects.count()),
        "notice draft": (supervisor, reverse("notice_new") + f"?campaign={campaign.pk}", {
            "campaign": campaign.pk, "project": project.pk, "reason": "进度滞后",
            "required_action": "制定赶工计划"}, lambda: Notice.objects.count()),
    }


@pytest.mark.parametrize("case", ["report", "obstacle", "hazard", "meeting", "action item", "criticism",
                                  "highlight", "spot check", "finding", "notice draft"])
def test_five_identical_submissions_at_once_store_one_row(postgres, case, project, leader,
                                                          team_member, supervisor):
    user, form_url, data, count = _cases(project, leader, team_member, supervisor)[case]
    before = count()
    token = _token(user, form_url)
    post_url = form_url
    if case == "finding":
        post_url = reverse("finding_add", args=[SpotCheck.objects.get(title="定期检查").pk])
    answers = _five_at_once(user, post_url, {**data, "once": token})
    assert [a.status_code for a in answers] == [302] * 5, [
        a.context and a.context.get("form") and a.context["form"].errors for a in answers]
    assert count() == before + 1
    assert len({a.url for a in answers}) == 1  # all five land on what the first one made
    assert FormToken.objects.filter(token=token).count() == 1


@pytest.mark.parametrize("case", ["report", "obstacle", "hazard", "meeting", "action item", "criticism",
                                  "highlight", "spot check", "finding", "notice draft"])
def test_the_same_content_from_a_form_opened_again_is_stored_once(case, project, leader,
                                                                 team_member, supervisor):
    """Back after a submission reloads the form (signed-in pages are not cached) with a new token
    and the fields as typed: sending that again lands on the first result. Other content from the
    reopened form is stored, and so is the same content once REPEAT_WINDOW has passed."""
    user, form_url, data, count = _cases(project, leader, team_member, supervisor)[case]
    post_url = form_url
    if case == "finding":
        post_url = reverse("finding_add", args=[SpotCheck.objects.get(title="定期检查").pk])
    before = count()
    client = Client()
    client.force_login(user)
    first = client.post(post_url, {**data, "once": _token(user, form_url)})
    again = client.post(post_url, {**data, "once": _token(user, form_url)}, follow=True)
    assert first.status_code == 302 and count() == before + 1
    assert again.redirect_chain[0][0] == first.url
    assert "had already been submitted" in again.content.decode()

    FormToken.objects.update(used_at=timezone.now() - once.REPEAT_WINDOW - datetime.timedelta(
        seconds=1))
    later = client.post(post_url, {**data, "once": _token(user, form_url)})
    assert later.status_code == 302 and count() == before + 2


def test_other_content_from_a_form_opened_again_is_stored(client, project, team_member):
    url = reverse("report_create", args=[project.pk])
    client.force_login(team_member)
    data = {"percent": "35.5", "investment_done": "420", "work_done": "完成路基填筑",
            "next_steps": "", "problems": "", "needs_coordination": "", "decrease_reason": ""}
    client.post(url, {**data, "once": _token(team_member, url)})
    client.post(url, {**data, "percent": "36", "once": _token(team_member, url)})
    assert list(ProgressReport.objects.filter(project=project).order_by("pk").values_list(
        "percent", flat=True)) == [Decimal("35.5"), Decimal("36")]


def test_a_repeated_submission_says_it_was_saved_once(client, project, team_member):
    url = reverse("obstacle_create", args=[project.pk])
    token = _token(team_member, url)
    client.force_login(team_member)
    data = {"title": "杆线迁改滞后", "category": "pole_relocation", "description": "需供电公司配合",
            "due_date": local_date().isoformat(), "once": token}
    first = client.post(url, data, follow=True)
    again = client.post(url, data, follow=True)
    assert Obstacle.objects.filter(project=project).count() == 1
    assert first.redirect_chain[-1][0] == again.redirect_chain[-1][0]
    assert "had already been submitted" in again.content.decode()


def test_a_form_refused_by_its_service_keeps_its_token_usable(client, project, team_member):
    url = reverse("obstacle_create", args=[project.pk])
    token = _token(team_member, url)
    client.force_login(team_member)
    bad = client.post(url, {"title": "杆线迁改滞后", "category": "pole_relocation",
                            "description": "需供电公司配合", "due_date": "0001-01-01", "once": token})
    assert bad.status_code == 200 and f'value="{token}"' in bad.content.decode()
    assert not FormToken.objects.filter(token=token).exists()


def test_five_concurrent_close_outs_of_one_obstacle_write_one_history_row(postgres, project, team_member):
    obstacle = Obstacle.objects.create(project=project, title="杆线迁改滞后", category="pole_relocation",
                                       description="需供电公司配合", due_date=local_date())
    rows_before = obstacle.history.count()
    answers = _five_at_once(team_member, reverse("obstacle_resolve", args=[obstacle.pk]),
                            {"resolution": "已协调供电公司完成迁改", "resolved_on": local_date().isoformat()})
    assert sorted(a.status_code for a in answers).count(302) == 1
    obstacle.refresh_from_db()
    assert obstacle.status == Obstacle.Status.RESOLVED
    assert obstacle.history.count() == rows_before + 1
    assert obstacle.history.filter(status=Obstacle.Status.RESOLVED).count() == 1


def _awaiting_major_hazard(project) -> Hazard:
    check = SafetyCheck.objects.create(project=project, checked_on=local_date())
    return Hazard.objects.create(check_record=check, description="基坑临边防护缺失", level="major",
                                 rectify_by=local_date(), rectified_on=local_date(),
                                 rectification="已加装防护栏", status=Hazard.Status.AWAITING_REVIEW,
                                 review_round=1)


def test_five_identical_reviews_of_a_hazard_at_once_store_one_review(postgres, project, supervisor):
    hazard = _awaiting_major_hazard(project)
    url = reverse("hazard_review", args=[hazard.pk])
    token = _token(supervisor, url)
    answers = _five_at_once(supervisor, url, {"verdict": "returned", "note": "东侧仍缺防护栏",
                                              "once": token})
    assert [a.status_code for a in answers] == [302] * 5
    assert len({a.url for a in answers}) == 1
    assert HazardReview.objects.filter(hazard=hazard).count() == 1
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN and hazard.review_round == 1


def test_five_reviews_without_a_token_store_one_and_refuse_the_others(postgres, project, supervisor):
    hazard = _awaiting_major_hazard(project)
    answers = _five_at_once(supervisor, reverse("hazard_review", args=[hazard.pk]),
                            {"verdict": "verified", "note": "现场核实"})
    assert sorted(a.status_code for a in answers) == [302, 400, 400, 400, 400]
    assert HazardReview.objects.filter(hazard=hazard).count() == 1
    assert Hazard.objects.get(pk=hazard.pk).status == Hazard.Status.RECTIFIED


def test_five_concurrent_rectifications_of_a_major_hazard_put_it_to_review_once(
        postgres, project, team_member):
    check = SafetyCheck.objects.create(project=project, checked_on=local_date())
    hazard = Hazard.objects.create(check_record=check, description="配电箱无门", level="major",
                                   rectify_by=local_date())
    answers = _five_at_once(team_member, reverse("hazard_rectify", args=[hazard.pk]),
                            {"rectification": "已加装箱门", "rectified_on": local_date().isoformat()})
    assert sorted(a.status_code for a in answers).count(302) == 1
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_REVIEW and hazard.review_round == 1
    assert hazard.history.filter(status=Hazard.Status.AWAITING_REVIEW).count() == 1
