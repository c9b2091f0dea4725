"""The 湖南镇 demo campaign of the source article, with dates relative to the day it is seeded.

13 projects (7 listed by 福州市, 6 by 长乐市), a leadership team of nine with one leader per
project, teams of town and village cadres, milestones, weekly reports from the campaign's start
(most on plan, some behind, one finished), obstacles of every category, a safety check with an
open hazard, a special meeting with action items and a highlight. All names are invented and the
campaign is marked as demo data.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from campaign.models import Campaign, Profile, Role, Unit
from campaign.reporting import last_closed_week
from core.dates import day_start, local_date
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
from supervision import rules
from supervision.bulletins import generate_bulletin
from supervision.scan import scan_campaign

CAMPAIGN_NAME = "湖南镇百日攻坚行动（演示数据）"
#: Day N of the campaign on the day the demo is seeded: the seventh week.
DEMO_DAY = 46

VILLAGES = ["湖南村", "鹏程村", "东洛村", "文石村", "淇观村"]
DEPARTMENTS = ["长乐市自然资源和规划局", "长乐供电公司", "长乐市住房和城乡建设局",
               "长乐市水务集团", "湖南镇财政所", "长乐市电信分公司"]

# username, full name, title, role, unit ("town", a village or the city unit)
PEOPLE = [
    ("gjb", "林攻坚", "镇攻坚办主任", Role.TOWN_ADMIN, "town"),
    ("dcz", "郑督查", "镇督查组组长", Role.SUPERVISOR, "town"),
    ("xiaoneng", "陈效能", "市效能办科员", Role.OBSERVER, "长乐市"),
    ("leader1", "王建华", "镇党委书记", Role.LEADER, "town"),
    ("leader2", "李志强", "镇长", Role.LEADER, "town"),
    ("leader3", "张明", "镇党委副书记", Role.LEADER, "town"),
    ("leader4", "刘海峰", "常务副镇长", Role.LEADER, "town"),
    ("leader5", "陈国平", "副镇长", Role.LEADER, "town"),
    ("leader6", "黄丽萍", "副镇长", Role.LEADER, "town"),
    ("leader7", "吴德明", "镇人大主席", Role.LEADER, "town"),
    ("leader8", "周文斌", "镇纪委书记", Role.LEADER, "town"),
    ("leader9", "郑秀英", "镇武装部长", Role.LEADER, "town"),
    ("cadre1", "林小东", "镇建设办干部", Role.TEAM_MEMBER, "town"),
    ("cadre2", "陈丽", "镇经济发展办干部", Role.TEAM_MEMBER, "town"),
    ("cadre3", "黄志伟", "镇征迁办干部", Role.TEAM_MEMBER, "town"),
    ("cadre4", "王芳", "镇农业服务中心干部", Role.TEAM_MEMBER, "town"),
    ("cadre5", "刘强", "镇安监站干部", Role.TEAM_MEMBER, "town"),
    ("cadre6", "张燕", "镇党政办干部", Role.TEAM_MEMBER, "town"),
    ("cadre7", "郑建国", "湖南村党支部书记", Role.TEAM_MEMBER, "湖南村"),
    ("cadre8", "杨秋月", "鹏程村村委会主任", Role.TEAM_MEMBER, "鹏程村"),
    ("cadre9", "林永福", "东洛村党支部书记", Role.TEAM_MEMBER, "东洛村"),
    ("cadre10", "陈水生", "文石村村委会主任", Role.TEAM_MEMBER, "文石村"),
    ("cadre11", "吴美玲", "淇观村党支部书记", Role.TEAM_MEMBER, "淇观村"),
]


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    level: str  # "city" (福州市级) or "county" (长乐市级)
    owner: str
    category: str
    goal: str
    investment: int  # 万元
    leader: str
    team: tuple[str, ...]  # the first is the lead cadre
    start_offset: int  # days from the campaign start (negative: started before)
    end_offset: int  # days from the campaign start
    pace: float  # reported ÷ planned; 1.0 on plan


PROJECTS = [
    DemoProject("HN-01", "滨海新城湖南片区主干道路工程", "city", "长乐市城市建设投资有限公司", "交通",
                "完成路基及排水管网施工，具备沥青摊铺条件", 18500, "leader1",
                ("cadre1", "cadre7"), -20, 99, 1.02),
    DemoProject("HN-02", "湖南镇污水处理厂提标改造工程", "city", "长乐市水务集团", "环保",
                "完成生化池改造及设备安装，出水达一级A标准", 6200, "leader2",
                ("cadre4", "cadre8"), 0, 99, 1.0),
    DemoProject("HN-03", "湖南镇安置房一期工程", "city", "长乐市城市建设投资有限公司", "民生",
                "完成3栋主体结构封顶", 32000, "leader3",
                ("cadre3", "cadre9", "cadre1"), -30, 99, 0.62),
    DemoProject("HN-04", "湖南镇农村生活污水提升工程", "city", "湖南镇人民政府", "环保",
                "完成5个村管网铺设及终端设施建设", 2800, "leader4",
                ("cadre4", "cadre10", "cadre11"), 0, 90, 0.98),
    DemoProject("HN-05", "湖南海岸带生态修复工程", "city", "长乐市自然资源和规划局", "生态",
                "完成海岸防护林补植及沙滩修复一期", 4500, "leader5",
                ("cadre5", "cadre11"), 5, 99, 0.82),
    DemoProject("HN-06", "湖南镇供水管网改造工程", "city", "长乐市水务集团", "民生",
                "完成主干管网改造12公里", 3600, "leader6",
                ("cadre2", "cadre7"), 0, 80, 1.05),
    DemoProject("HN-07", "湖南镇工业园区标准厂房建设项目", "city", "长乐市工业园区开发公司", "产业",
                "完成两栋标准厂房主体施工", 12800, "leader7",
                ("cadre2", "cadre6"), -10, 99, 1.0),
    DemoProject("HN-08", "湖南镇文化活动中心建设工程", "county", "湖南镇人民政府", "社会事业",
                "完成主体结构及外立面装修", 1800, "leader8",
                ("cadre6", "cadre7"), 0, 42, 1.15),
    DemoProject("HN-09", "湖南镇中心小学扩建工程", "county", "长乐市教育局", "社会事业",
                "完成教学楼主体封顶", 2600, "leader9",
                ("cadre1", "cadre8"), 0, 95, 1.0),
    DemoProject("HN-10", "湖南镇卫生院综合楼建设工程", "county", "长乐市卫生健康局", "社会事业",
                "完成综合楼主体及内部装修", 2200, "leader2",
                ("cadre6", "cadre9"), -15, 99, 0.88),
    DemoProject("HN-11", "湖南镇农贸市场改造提升工程", "county", "湖南镇人民政府", "民生",
                "完成市场改造并投入使用", 900, "leader4",
                ("cadre2", "cadre10"), 0, 85, 1.0),
    DemoProject("HN-12", "湖南至潭头段道路拓宽工程", "county", "长乐市交通运输局", "交通",
                "完成道路拓宽及杆线迁改", 5400, "leader5",
                ("cadre3", "cadre9"), 0, 99, 0.55),
    DemoProject("HN-13", "湖南镇美丽乡村示范线建设项目", "county", "湖南镇人民政府", "乡村振兴",
                "完成示范线沿线5个村立面整治及景观节点", 1500, "leader1",
                ("cadre5", "cadre10", "cadre11"), 0, 99, 1.0),
]


@dataclass
class DemoResult:
    campaign: Campaign
    created: bool
    password: str
    usernames: dict[str, list[str]]


def demo_campaign() -> Campaign | None:
    return Campaign.objects.filter(is_demo=True, name=CAMPAIGN_NAME).first()


@transaction.atomic
def seed_demo(*, reset: bool = False, today: datetime.date | None = None,
              now: datetime.datetime | None = None) -> DemoResult:
    """Create the demo campaign unless it exists; `reset` deletes and recreates it with today's dates."""
    now = now or timezone.now()
    today = today or local_date(now)
    password = settings.DEMO_PASSWORD
    existing = demo_campaign()
    if existing is not None and reset:
        existing.delete()
        existing = None
    units = _units()
    users = _people(units, password)
    usernames = {role.value: [u for u, _n, _t, r, _unit in PEOPLE if r == role] for role in Role}
    if existing is not None:
        return DemoResult(existing, False, password, usernames)

    start = today - datetime.timedelta(days=DEMO_DAY - 1)
    campaign = Campaign.objects.create(
        unit=units["town"], name=CAMPAIGN_NAME, start_date=start,
        end_date=start + datetime.timedelta(days=99), status=Campaign.Status.ACTIVE,
        declared_project_count=13, is_demo=True, notice_prefix="湖督",
        issuing_body="湖南镇百日攻坚行动领导小组办公室", issuing_short_name="湖南镇百日攻坚",
        recipients="各挂钩领导，各村（社区），镇直各单位", contact_person="郑督查",
        contact_phone="0591-28881234",
    )
    projects = [_project(campaign, spec, units, users, now) for spec in PROJECTS]
    _field_work(campaign, projects, units, users, today)
    # The lights, flags and draft notices as the scan would have left them: run once a day over
    # the campaign so far (the flags' history gives a past week's bulletin its lights and days in
    # red, as on a real server), then now.
    for day in range((today - start).days):
        scan_campaign(campaign.pk, now=day_start(start + datetime.timedelta(days=day))
                      + datetime.timedelta(hours=9))
    scan_campaign(campaign.pk, now=max(now, timezone.now()))
    # The bulletin draft of the reporting week just closed, as the beat leaves it for the
    # supervision group.
    week = last_closed_week(campaign, now)
    generate_bulletin(campaign, max(week.start, campaign.start_date), week.end, now=now)
    return DemoResult(campaign, True, password, usernames)


def _units() -> dict[str, Unit]:
    province, _ = Unit.objects.get_or_create(parent=None, name="福建省",
                                             defaults={"kind": Unit.Kind.PROVINCE})
    city, _ = Unit.objects.get_or_create(parent=province, name="福州市",
                                         defaults={"kind": Unit.Kind.CITY})
    county, _ = Unit.objects.get_or_create(parent=city, name="长乐市",
                                           defaults={"kind": Unit.Kind.COUNTY})
    town, _ = Unit.objects.get_or_create(parent=county, name="湖南镇",
                                         defaults={"kind": Unit.Kind.TOWN})
    units = {"福州市": city, "长乐市": county, "town": town}
    for name in VILLAGES:
        units[name], _ = Unit.objects.get_or_create(parent=town, name=name,
                                                    defaults={"kind": Unit.Kind.VILLAGE})
    for name in DEPARTMENTS:
        units[name], _ = Unit.objects.get_or_create(parent=county, name=name,
                                                    defaults={"kind": Unit.Kind.DEPARTMENT})
    return units


def _people(units, password) -> dict[str, User]:
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    users = {}
    for username, full_name, title, role, unit in PEOPLE:
        # No role user is staff: the admin is for operators (superusers) only.
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            Profile.objects.create(user=user, full_name=full_name, title=title,
                                   unit=units[unit], phone=f"1380591{len(users):04d}")
            user.groups.add(groups[role.value])
        users[username] = user
    return users


def _report_days(start: datetime.date, now: datetime.datetime, weekday: int) -> list[datetime.datetime]:
    """17:00 local on every report day from the campaign start up to now."""
    tz = timezone.get_current_timezone()
    day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
    moments = []
    while True:
        moment = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=tz)
        if moment > now:
            return moments
        moments.append(moment)
        day += datetime.timedelta(days=7)


def _project(campaign, spec: DemoProject, units, users, now) -> Project:
    start = campaign.start_date
    planned_start = start + datetime.timedelta(days=spec.start_offset)
    planned_end = start + datetime.timedelta(days=spec.end_offset)
    listed_by = units["福州市"] if spec.level == "city" else units["长乐市"]
    project = Project.objects.create(
        campaign=campaign, code=spec.code, name=spec.name, level=spec.level, listed_by=listed_by,
        owner=spec.owner, category=spec.category, goal=spec.goal, planned_start=planned_start,
        planned_end=planned_end, planned_investment=Decimal(spec.investment),
        leader=users[spec.leader], status=Project.Status.IN_PROGRESS,
    )
    for i, username in enumerate(spec.team):
        user = users[username]
        Assignment.objects.create(project=project, user=user,
                                  role=Assignment.Role.LEAD if i == 0 else Assignment.Role.MEMBER,
                                  unit=user.profile.unit)
    span = (planned_end - planned_start).days
    milestones = []
    for name, share, pct in (("完成前期准备及手续办理", 0.3, 25), ("完成主体工程过半", 0.6, 60),
                             ("完成主体工程", 0.85, 88)):
        milestones.append(Milestone(project=project, name=name, planned_percent=Decimal(pct),
                                    due_date=planned_start + datetime.timedelta(days=round(span * share))))
    facts = [m.as_fact() for m in milestones]

    reports = []
    for moment in _report_days(start, now, campaign.report_weekday):
        day = local_date(moment)
        planned = rules.shown(rules.planned_percent(day, planned_start, planned_end, facts))
        percent = min(Decimal(100), (planned * Decimal(str(spec.pace))).quantize(Decimal("0.1")))
        if reports and percent < reports[-1].percent:
            percent = reports[-1].percent
        investment = (Decimal(spec.investment) * percent / 100).quantize(Decimal("0.01"))
        reports.append(ProgressReport(
            project=project, percent=percent, investment_done=investment, reported_at=moment,
            reported_by=users[spec.team[0]], work_done=_work_done(spec, percent),
            next_steps="按计划推进下一阶段施工" if percent < 100 else "组织竣工验收",
            problems="" if spec.pace >= 0.95 else "征迁交地和要素保障滞后，影响施工进度",
        ))
        if percent >= 100:
            break
    ProgressReport.objects.bulk_create(reports)
    # A milestone is met on the day the work reached it, if a report has shown it by now.
    last_shown = local_date(reports[-1].reported_at) if reports else None
    pace = Decimal(str(spec.pace))
    for m in milestones:
        m.completed_on = None
        day = planned_start
        while last_shown and day <= last_shown:
            if rules.shown(rules.planned_percent(day, planned_start, planned_end, facts)) * pace \
                    >= m.planned_percent:
                m.completed_on = day
                break
            day += datetime.timedelta(days=1)
    Milestone.objects.bulk_create(milestones)

    if reports:
        last = reports[-1]
        project.progress = last.percent
        project.investment_done = last.investment_done
        project.last_reported_at = last.reported_at
        if last.percent >= 100:
            project.status = Project.Status.COMPLETED
        project.save(update_fields=["progress", "investment_done", "last_reported_at", "status"])
    return project


def _work_done(spec: DemoProject, percent: Decimal) -> str:
    if percent >= 100:
        return "全部工程完工，完成竣工验收资料整理"
    if percent < 25:
        return "完成场地平整、临时设施搭建及施工图会审"
    if percent < 60:
        return f"{spec.goal[:12]}……主体施工有序推进"
    return "主体工程基本完成，开展附属工程施工"


def _field_work(campaign, projects, units, users, today):
    by_code = {p.code: p for p in projects}
    day = datetime.timedelta(days=1)
    obstacles = [
        ("HN-03", "安置地块剩余3户未签订征迁协议", Obstacle.Category.LAND, "长乐市自然资源和规划局",
         today - 5 * day, Obstacle.Status.COORDINATING),
        ("HN-12", "沿线通信杆线迁改方案未确定", Obstacle.Category.POLE_RELOCATION, "长乐市电信分公司",
         today - 2 * day, Obstacle.Status.OPEN),
        ("HN-05", "施工用电未接入", Obstacle.Category.WATER_POWER, "长乐供电公司",
         today + 2 * day, Obstacle.Status.OPEN),
        ("HN-10", "施工许可证办理滞后", Obstacle.Category.APPROVALS, "长乐市住房和城乡建设局",
         today + 10 * day, Obstacle.Status.COORDINATING),
        ("HN-04", "村级配套资金未到位", Obstacle.Category.FUNDING, "湖南镇财政所",
         today + 14 * day, Obstacle.Status.OPEN),
        ("HN-13", "部分村民对立面整治方案有异议", Obstacle.Category.OTHER, None,
         today - 20 * day, Obstacle.Status.RESOLVED),
    ]
    for code, title, category, unit, due, status in obstacles:
        resolved_on = today - 22 * day if status == Obstacle.Status.RESOLVED else None
        # Raised before it was due (and resolved): a week before the earlier, at 10:00.
        raised_on = min(due, resolved_on or due, today) - 7 * day
        Obstacle.objects.create(
            project=by_code[code], title=title, category=category,
            raised_at=day_start(raised_on) + datetime.timedelta(hours=10),
            responsible_unit=units[unit] if unit else None, due_date=due, status=status,
            raised_by=by_code[code].leader,
            resolution="召开村民代表会议，方案调整后已达成一致" if status == Obstacle.Status.RESOLVED else "",
            resolved_on=resolved_on,
        )

    check = SafetyCheck.objects.create(project=by_code["HN-03"], checked_on=today - 6 * day,
                                       checked_by=users["cadre5"],
                                       summary="百日攻坚项目专项安全整治检查")
    Hazard.objects.create(check_record=check, description="基坑东侧临边防护栏杆缺失",
                          level=Hazard.Level.MAJOR, rectify_by=today + 1 * day)
    Hazard.objects.create(check_record=check, description="塔吊作业区警示标志不全",
                          rectify_by=today - 3 * day, rectified_on=today - 4 * day,
                          rectification="已补设警示标志", status=Hazard.Status.RECTIFIED)
    # A major hazard the team reports rectified waits for the supervision group's 复核.
    Hazard.objects.create(check_record=check, description="施工临时用电配电箱未接地",
                          level=Hazard.Level.MAJOR, rectify_by=today, rectified_on=today - 1 * day,
                          rectification="已重新接地并经电工检测合格",
                          status=Hazard.Status.AWAITING_REVIEW, review_round=1)

    meeting = Meeting.objects.create(
        campaign=campaign, kind=Meeting.Kind.SPECIAL_MEETING, title="百日攻坚项目推进专题会",
        held_on=today - 8 * day, location="湖南镇政府三楼会议室", chaired_by=users["leader1"],
        summary="听取各项目进展汇报，协调解决征迁交地、杆线迁改等问题。",
    )
    meeting.projects.set([by_code["HN-03"], by_code["HN-12"], by_code["HN-08"]])
    ActionItem.objects.create(meeting=meeting, project=by_code["HN-03"], owner=users["leader3"],
                              description="一周内完成剩余3户征迁协议签订", due_date=today - 1 * day)
    ActionItem.objects.create(meeting=meeting, project=by_code["HN-12"], owner=users["leader5"],
                              description="对接电信公司确定杆线迁改方案", due_date=today + 3 * day)
    ActionItem.objects.create(meeting=meeting, project=by_code["HN-08"], owner=users["leader8"],
                              description="组织文化活动中心竣工验收", due_date=today - 5 * day,
                              done_on=today - 6 * day)

    Highlight.objects.create(
        campaign=campaign, project=by_code["HN-13"], kind=Highlight.Kind.PERSON,
        title="驻村攻坚，征迁一线的“娘家人”", person_name="吴美玲", created_by=users["gjb"],
        body="淇观村党支部书记吴美玲连续一个月吃住在村，逐户上门宣讲政策，推动示范线立面整治顺利开展。",
    )
