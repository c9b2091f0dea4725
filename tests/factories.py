"""factory_boy factories shared by the whole suite."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from campaign.models import Campaign, Profile, Role, Unit
from projects.models import (
    ActionItem,
    Assignment,
    Hazard,
    Highlight,
    Meeting,
    Milestone,
    Obstacle,
    ProgressReport,
    Project,
    SafetyCheck,
)

TODAY = datetime.date(2026, 11, 20)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("parent", "name")

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.TOWN
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")
    profile = factory.RelatedFactory(
        "tests.factories.ProfileFactory", factory_related_name="user")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=Role(role).value))


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    full_name = factory.Sequence(lambda n: f"干部{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    unit = factory.SubFactory(UnitFactory, name="湖南镇", kind=Unit.Kind.TOWN)
    name = "湖南镇百日攻坚行动"
    notice_prefix = "湖督"
    start_date = TODAY - datetime.timedelta(days=42)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=99))
    status = Campaign.Status.ACTIVE
    declared_project_count = 13


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"HN-{n:03d}")
    name = factory.Sequence(lambda n: f"示例项目{n}")
    level = Project.Level.CITY
    listed_by = factory.SubFactory(UnitFactory, name="福州市", kind=Unit.Kind.CITY)
    owner = "长乐区城投公司"
    goal = "完成主体工程"
    planned_start = factory.LazyAttribute(lambda o: o.campaign.start_date)
    planned_end = factory.LazyAttribute(lambda o: o.campaign.end_date)
    planned_investment = Decimal("1000")
    leader = factory.SubFactory(UserFactory, roles=[Role.LEADER])
    status = Project.Status.IN_PROGRESS


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.TEAM_MEMBER])
    role = Assignment.Role.MEMBER


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    due_date = TODAY
    planned_percent = Decimal("50")


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    percent = Decimal("40")
    investment_done = Decimal("300")
    work_done = "完成桩基施工"
    reported_by = factory.LazyAttribute(lambda o: o.project.leader)
    reported_at = factory.LazyFunction(timezone.now)


class ObstacleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obstacle

    project = factory.SubFactory(ProjectFactory)
    title = "施工用电未接入"
    category = Obstacle.Category.WATER_POWER
    due_date = TODAY


class SafetyCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyCheck

    project = factory.SubFactory(ProjectFactory)
    checked_on = TODAY


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hazard

    check_record = factory.SubFactory(SafetyCheckFactory)
    description = "基坑临边防护缺失"
    rectify_by = TODAY


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    campaign = factory.SubFactory(CampaignFactory)
    kind = Meeting.Kind.SPECIAL_MEETING
    title = "百日攻坚专题会"
    held_on = TODAY


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = "协调供电公司接入施工用电"
    owner = factory.SubFactory(UserFactory, roles=[Role.LEADER])
    due_date = TODAY


class HighlightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Highlight

    campaign = factory.SubFactory(CampaignFactory)
    kind = Highlight.Kind.PERSON
    title = "征迁一线的好干部"
    body = "连续三十天驻村做群众工作。"


def placed(user, unit):
    """The user, working in this unit (their profile's unit): what reading and writing follow."""
    user.profile.unit = unit
    user.profile.save(update_fields=["unit"])
    return user
