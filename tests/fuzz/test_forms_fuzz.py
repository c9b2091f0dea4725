"""Hypothesis posts generated input to the real forms: never a 500, never a stored value outside
its constraint. The report, obstacle, hazard and notice-response forms, through their views."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.models import Role
from projects.models import Hazard, Obstacle, ProgressReport, Project
from supervision import notices
from supervision.models import Notice, NoticeResponse
from tests import factories

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text as people type it, with the odd control character, very long runs and markup.
texts = st.one_of(
    st.text(max_size=300),
    st.just(""), st.just(" "), st.just("<script>alert(1)</script>"), st.just("x" * 20000),
    st.text(alphabet="湖南镇百日攻坚征迁交地杆线", min_size=1, max_size=50),
)
numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "50", "100", "100.0", "100.05", "-0", "1e3", "五十", "50%", " 40 "]),
)
dates = st.one_of(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31)).map(str),
    st.sampled_from(["", "2026-02-30", "2026/11/20", "昨天", "0000-00-00", "9999-99-99"]),
)
choices = st.one_of(st.sampled_from(["", "approvals", "land", "other", "general", "major", "open",
                                     "resolved", "coordinating", "bogus", "0"]), st.text(max_size=10))

ALLOWED = {200, 302, 400, 403}


@pytest.fixture
def world(db):
    town = factories.UnitFactory(name="湖南镇")
    campaign = factories.CampaignFactory(unit=town)
    leader = factories.UserFactory(username="fz_leader", roles=[Role.LEADER])
    leader.profile.unit = town
    leader.profile.save(update_fields=["unit"])
    project = factories.ProjectFactory(campaign=campaign, leader=leader)
    supervisor = factories.UserFactory(username="fz_dcz", roles=[Role.SUPERVISOR])
    supervisor.profile.unit = town
    supervisor.profile.save(update_fields=["unit"])
    return project, leader, supervisor


def constraints_hold():
    assert not ProgressReport.objects.filter(
        Q(percent__lt=0) | Q(percent__gt=100) | Q(investment_done__lt=0)).exists()
    assert not Project.objects.filter(
        Q(progress__lt=0) | Q(progress__gt=100) | Q(investment_done__lt=0)).exists()
    assert not Obstacle.objects.filter(status="resolved", resolved_on__isnull=True).exists()
    assert not NoticeResponse.objects.filter(measures="").exists()


@FUZZ
@given(percent=numbers, investment=numbers, work_done=texts, problems=texts, reason=texts)
def test_the_report_form(client, world, percent, investment, work_done, problems, reason):
    project, leader, _ = world
    client.force_login(leader)
    response = client.post(reverse("report_create", args=[project.pk]), {
        "percent": percent, "investment_done": investment, "work_done": work_done,
        "next_steps": "", "problems": problems, "needs_coordination": "",
        "decrease_reason": reason,
    })
    assert response.status_code in ALLOWED
    constraints_hold()
    if response.status_code == 302:
        saved = ProgressReport.objects.filter(project=project).latest("reported_at")
        assert Decimal(0) <= saved.percent <= Decimal(100)


@FUZZ
@given(title=texts, category=choices, status=choices, due=dates, description=texts)
def test_the_obstacle_form(client, world, title, category, status, due, description):
    project, leader, _ = world
    client.force_login(leader)
    response = client.post(reverse("obstacle_create", args=[project.pk]), {
        "title": title, "category": category, "description": description,
        "responsible_unit": "", "due_date": due, "status": status,
    })
    assert response.status_code in ALLOWED
    constraints_hold()


@FUZZ
@given(checked=dates, description=texts, level=choices, rectify_by=dates)
def test_the_hazard_form(client, world, checked, description, level, rectify_by):
    project, leader, _ = world
    client.force_login(leader)
    response = client.post(reverse("hazard_create", args=[project.pk]), {
        "checked_on": checked, "description": description, "level": level,
        "rectify_by": rectify_by,
    })
    assert response.status_code in ALLOWED
    constraints_hold()
    for hazard in Hazard.objects.select_related("check_record"):
        assert hazard.rectify_by >= hazard.check_record.checked_on


# File names a browser can send: no path separators and not just dots (the test client itself
# refuses those before any request is made).
file_names = st.text(min_size=1, max_size=40).filter(
    lambda n: n.strip(". ") and not set(n) & {"/", "\\", "\x00"})


@FUZZ
@given(measures=texts, name=file_names, content=st.binary(max_size=2048))
def test_the_notice_response_form(client, world, measures, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, leader, supervisor = world
    notice = notices.create_draft_notice(project, reason="滞后", required_action="整改",
                                         created_by=supervisor)
    notices.issue_notice(notice, supervisor)
    notices.acknowledge_notice(notice, leader)
    client.force_login(leader)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]),
                           {"respond-measures": measures, "respond-files": [upload]})
    assert response.status_code in ALLOWED
    constraints_hold()
    notice.refresh_from_db()
    if response.status_code == 302:
        assert notice.status == Notice.Status.RESPONDED
        assert notice.responses.get().measures.strip()
