"""The database, not the code, keeps what must be unique or in range."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import ProgressReport
from supervision.models import Flag, Notice
from tests import factories


def test_a_second_open_flag_of_the_same_kind_raises_on_postgres(postgres, project):
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity="yellow")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity="red")


def test_a_resolved_flag_does_not_block_a_new_one(project):
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity="yellow",
                        resolved_at=timezone.now())
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity="red")
    Flag.objects.create(project=project, kind=Flag.Kind.REPORT_MISSING, severity="yellow")
    assert Flag.objects.filter(project=project, resolved_at__isnull=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("percent", [Decimal("-0.1"), Decimal("100.1")])
def test_a_report_percent_outside_0_100_is_refused(project, percent):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(project=project, percent=percent, investment_done=0,
                                      work_done="x", reported_by=project.leader)


def test_a_negative_investment_is_refused(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(project=project, percent=10, investment_done=-1,
                                      work_done="x", reported_by=project.leader)


def test_a_project_code_is_unique_in_its_campaign_only(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProjectFactory(campaign=project.campaign, code=project.code)
    other = factories.CampaignFactory(name="另一个镇的行动")
    assert factories.ProjectFactory(campaign=other, code=project.code).pk


def test_a_notice_number_is_unique_in_its_campaign(project):
    def notice(number):
        return Notice.objects.create(campaign=project.campaign, project=project,
                                     issued_to=project.leader, reason="r", required_action="a",
                                     status=Notice.Status.ISSUED, number=number)

    notice("湖督〔2026〕1号")
    with pytest.raises(IntegrityError), transaction.atomic():
        notice("湖督〔2026〕1号")


def test_an_issued_notice_needs_a_number(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(campaign=project.campaign, project=project,
                              issued_to=project.leader, reason="r", required_action="a",
                              status=Notice.Status.ISSUED)


def test_milestone_percent_is_kept_in_range(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MilestoneFactory(project=project, planned_percent=Decimal("120"))
