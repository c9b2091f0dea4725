"""An oracle of the rules of lateness: hand-computed cases written from the spec (docs/rules.md,
DESIGN.md's rules), each run through the real scan on PostgreSQL, comparing the stored light and
the open warnings (kind → severity) with what the case says and why.

Unless a case says otherwise: the scan is at Friday 2026-11-20 12:00 Asia/Shanghai (the weekly
report is due Fridays 18:00, so the deadline last passed was 11-13 18:00); the campaign runs
10-09 … 2027-01-16 with the default thresholds (yellow 5, red 15, grace 7 days, notices escalate
after 3 days); the project is planned 10-01 … 2027-01-09 (100 days, no milestone: the plan is one
point a day, 50 % on 11-20) and reported 50 % on 11-20 at 10:00.

The STRICT campaign has yellow 3, red 10, grace 3 days, escalation after 2 days.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects.models import Project
from supervision.models import Flag, Notice
from supervision.scan import scan_campaign
from tests import factories

from .conftest import SHANGHAI, day

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
TODAY = NOON.date()
S100 = day(10, 1)  # 100-day plan: 10-01 … 2027-01-09, k % on day k
E100 = day(1, 9, 2027)
# The campaign's own span (10-09 … 2027-01-16, 99 days): 100/99 % a day.
CS, CE = day(10, 9), day(1, 16, 2027)
# A plan 11-11 … 2027-01-10 with a milestone on 11-21: on 11-20 exactly 9/10 of its %.
MS, ME, MD = day(11, 11), day(1, 10, 2027), day(11, 21)

B, M, R, F, OB, H, N = ("behind_plan", "milestone_overdue", "report_missing", "finish_at_risk",
                       "obstacle_overdue", "hazard_overdue", "notice_overdue")
Y_, R_ = "yellow", "red"


@dataclass(frozen=True)
class Case:
    id: str
    why: str
    light: str
    warnings: dict
    start: datetime.date = S100
    end: datetime.date = E100
    milestones: tuple = ()   # (due, percent, completed_on)
    reports: tuple = ((TODAY, "50", 10),)  # (date, percent, hour)
    obstacles: tuple = ()    # (due, resolved_on)
    hazards: tuple = ()      # (rectify_by, level, rectified_on)
    notices: tuple = ()      # (respond_by, status, escalated)
    status: str = "in_progress"
    pause_approved: bool = False
    strict: bool = False
    now: datetime.datetime = NOON


def lag_case(id, why, light, warnings, percent, **kw):
    return Case(id, why, light, warnings, reports=((TODAY, percent, 10),), **kw)


def ms_case(id, why, light, warnings, milestone, percent, **kw):
    return Case(id, why, light, warnings, start=MS, end=ME, milestones=((MD, milestone, None),),
                reports=((TODAY, percent, 10),), **kw)


CASES = [
    # --- behind plan, on the 100-day plan (50 % today) ---
    lag_case("on-plan", "reported 50 = planned 50: no warning", "green", {}, "50"),
    lag_case("ahead", "60 reported, 10 ahead: no warning", "green", {}, "60"),
    lag_case("lag-4.9", "50 − 45.1 = 4.9 < 5", "green", {}, "45.1"),
    lag_case("lag-5.0", "50 − 45 = 5: yellow from 5", Y_, {B: Y_}, "45"),
    lag_case("lag-14.9", "50 − 35.1 = 14.9 < 15: yellow", Y_, {B: Y_}, "35.1"),
    lag_case("lag-15.0", "50 − 35 = 15: red from 15", R_, {B: R_}, "35"),
    lag_case("lag-30", "50 − 20 = 30: red", R_, {B: R_}, "20"),
    # --- exact, with a milestone: planned 9/10 × M today ---
    ms_case("exact-4.99", "0.9 × 10.1 = 9.09; − 4.1 = 4.99 (shown 5.0) < 5", "green", {},
            "10.1", "4.1"),
    ms_case("exact-5.00", "0.9 × 10 = 9; − 4 = 5.00", Y_, {B: Y_}, "10.0", "4.0"),
    ms_case("exact-14.99", "0.9 × 30.1 = 27.09; − 12.1 = 14.99 (shown 15.0) < 15", Y_, {B: Y_},
            "30.1", "12.1"),
    ms_case("exact-15.00", "0.9 × 30 = 27; − 12 = 15.00", R_, {B: R_}, "30.0", "12.0"),
    ms_case("strict-2.99", "thresholds 3/10: 9.09 − 6.1 = 2.99 < 3", "green", {}, "10.1", "6.1",
            strict=True),
    ms_case("strict-3.00", "thresholds 3/10: 9 − 6 = 3", Y_, {B: Y_}, "10.0", "6.0", strict=True),
    ms_case("strict-9.99", "thresholds 3/10: 18.09 − 8.1 = 9.99 < 10", Y_, {B: Y_}, "20.1", "8.1",
            strict=True),
    ms_case("strict-10.00", "thresholds 3/10: 18 − 8 = 10", R_, {B: R_}, "20.0", "8.0",
            strict=True),
    # --- no report, stale reports, the weekly report ---
    Case("new-no-report", "planned 11-17: 3 % today, lag 3; no report owed yet (the deadline "
         "11-13 came before its start)", "green", {}, start=day(11, 17), end=day(2, 25, 2027),
         reports=()),
    Case("no-report-10", "planned 11-10: 10 % today, nothing reported: lag 10 and the 11-13 "
         "report missing", Y_, {B: Y_, R: Y_}, start=day(11, 10), end=day(2, 18, 2027), reports=()),
    Case("no-report-20", "planned 10-31: 20 % today, nothing reported: lag 20", R_,
         {B: R_, R: Y_}, start=day(10, 31), end=day(2, 8, 2027), reports=()),
    Case("stale-14-days", "36 reported 11-06, 14 days old: plan read today (50), lag 14; "
         "nothing since the 11-06 deadline", Y_, {B: Y_, R: Y_}, reports=((day(11, 6), "36", 10),)),
    Case("fresh-7-days", "43 reported 11-13 (7 days old): plan read on 11-13 = 43, lag 0; it "
         "counts for the week due 11-13", "green", {}, reports=((day(11, 13), "43", 10),)),
    Case("stale-8-days", "42 reported 11-12 (8 days old): plan read today, lag 8", Y_, {B: Y_},
         reports=((day(11, 12), "42", 10),)),
    Case("due-friday-1730", "at 17:30 this week's report is not yet due", "green", {},
         reports=((day(11, 13), "43", 10),), now=NOON.replace(hour=17, minute=30)),
    Case("due-friday-1830", "at 18:30 this week's report is due and missing", Y_, {R: Y_},
         reports=((day(11, 13), "43", 10),), now=NOON.replace(hour=18, minute=30)),
    # --- milestones (on the 100-day line, so the plan is unchanged), grace 7 ---
    Case("ms-5-days", "milestone due 11-15, not met: 5 days ≤ 7", Y_, {M: Y_},
         milestones=((day(11, 15), "45", None),)),
    Case("ms-7-days", "due 11-13: 7 days, still within the grace", Y_, {M: Y_},
         milestones=((day(11, 13), "43", None),)),
    Case("ms-8-days", "due 11-12: 8 days > 7", R_, {M: R_},
         milestones=((day(11, 12), "42", None),)),
    Case("ms-met-late", "due 11-12, met 11-14: nothing open", "green", {},
         milestones=((day(11, 12), "42", day(11, 14)),)),
    Case("ms-due-today", "due today: not overdue until tomorrow", "green", {},
         milestones=((TODAY, "50", None),)),
    Case("ms-strict-4-days", "grace 3: due 11-16, 4 days > 3", R_, {M: R_},
         milestones=((day(11, 16), "46", None),), strict=True),
    # --- obstacles, grace 7 ---
    Case("obstacle-1-day", "due 11-19, open: 1 day", Y_, {OB: Y_}, obstacles=((day(11, 19), None),)),
    Case("obstacle-7-days", "due 11-13: 7 days ≤ 7", Y_, {OB: Y_}, obstacles=((day(11, 13), None),)),
    Case("obstacle-12-days", "due 11-08: 12 days > 7, red on a project on plan", R_, {OB: R_},
         obstacles=((day(11, 8), None),)),
    Case("obstacle-resolved", "due 11-08, resolved 11-15: nothing open", "green", {},
         obstacles=((day(11, 8), day(11, 15)),)),
    Case("obstacle-strict-3", "grace 3: due 11-17, 3 days", Y_, {OB: Y_},
         obstacles=((day(11, 17), None),), strict=True),
    # --- hazards ---
    Case("hazard-general-2", "general, due 11-18: 2 days", Y_, {H: Y_},
         hazards=((day(11, 18), "general", None),)),
    Case("hazard-major-1", "重大 hazard overdue 1 day: red", R_, {H: R_},
         hazards=((day(11, 19), "major", None),)),
    Case("hazard-general-10", "general, due 11-10: 10 days > 7", R_, {H: R_},
         hazards=((day(11, 10), "general", None),)),
    Case("hazard-rectified", "rectified 11-19: nothing open", "green", {},
         hazards=((day(11, 10), "major", day(11, 19)),)),
    # --- notices, escalation after 3 days ---
    Case("notice-2-days", "respond by 11-18: 2 days", Y_, {N: Y_},
         notices=((day(11, 18), "issued", False),)),
    Case("notice-3-days", "respond by 11-17: 3 days, not beyond 3", Y_, {N: Y_},
         notices=((day(11, 17), "acknowledged", False),)),
    Case("notice-5-days", "respond by 11-15: 5 days > 3, red on a project on plan", R_, {N: R_},
         notices=((day(11, 15), "issued", False),)),
    Case("notice-escalated", "1 day overdue but escalated: red", R_, {N: R_},
         notices=((day(11, 19), "issued", True),)),
    Case("notice-responded", "responded (awaiting review): not overdue", "green", {},
         notices=((day(11, 10), "responded", False),)),
    Case("notice-strict-3", "escalation after 2: 3 days > 2", R_, {N: R_},
         notices=((day(11, 17), "issued", False),), strict=True),
    # --- forecasts ---
    Case("same-day-correction",
         "campaign-long plan; days 10-30 16, 11-06 40, 11-13 41, 11-20 42.4 (30 at 09:00 "
         "corrected at 11:00): pace from 10-30, 26.136 earned days in 21, 46 days left → 01-05 "
         "(before 01-16); lag 0.02", "green", {}, start=CS, end=CE,
         reports=((day(10, 30), "16", 10), (day(11, 6), "40", 10), (day(11, 13), "41", 10),
                  (TODAY, "30", 9), (TODAY, "42.4", 11))),
    Case("slow-pace", "campaign-long plan; 39 → 42.4 in 21 days (3.366 earned days): 356 days "
         "left, far past 01-16; lag 0.02", Y_, {F: Y_}, start=CS, end=CE,
         reports=((day(10, 30), "39", 10), (day(11, 6), "40", 10), (day(11, 13), "41", 10),
                  (TODAY, "42.4", 10))),
    Case("past-end-99", "planned end 11-16, 99 % on 11-16: lag 1 but past the end below 100",
         Y_, {F: Y_}, start=CS, end=day(11, 16),
         reports=((day(11, 13), "95", 10), (day(11, 16), "99", 10))),
    Case("past-end-84.9", "planned end 11-16, 84.9 %: lag 15.1 red, and at risk", R_,
         {B: R_, F: Y_}, start=CS, end=day(11, 16),
         reports=((day(11, 13), "80", 10), (day(11, 16), "84.9", 10))),
    Case("past-end-100", "planned end 11-16, 100 % on 11-18: not at risk", "green", {},
         start=CS, end=day(11, 16), reports=((day(11, 13), "95", 10), (day(11, 18), "100", 10))),
    # --- status ---
    Case("completed", "completed: done, whatever the lag", "done", {}, status="completed",
         reports=((TODAY, "30", 10),)),
    Case("paused-approved", "suspended with an approved reason: paused, no warning", "paused", {},
         status="suspended", pause_approved=True, reports=((day(11, 6), "20", 10),),
         obstacles=((day(11, 1), None),)),
    Case("suspended-unapproved", "suspended without approval: the lag counts, 50 − 30 = 20",
         R_, {B: R_}, status="suspended", reports=((TODAY, "30", 10),)),
    # --- several warnings: the most severe makes the light ---
    Case("yellow-lag-red-obstacle", "lag 7 (yellow) and an obstacle 12 days overdue (red)", R_,
         {B: Y_, OB: R_}, reports=((TODAY, "43", 10),), obstacles=((day(11, 8), None),)),
    Case("red-lag-yellow-hazard", "lag 16 (red) and a general hazard 2 days overdue", R_,
         {B: R_, H: Y_}, reports=((TODAY, "34", 10),), hazards=((day(11, 18), "general", None),)),
    Case("two-yellows", "a milestone 2 days and a notice 1 day overdue: yellow", Y_,
         {M: Y_, N: Y_}, milestones=((day(11, 18), "48", None),),
         notices=((day(11, 19), "issued", False),)),
]


def build(case: Case):
    campaign = factories.CampaignFactory(
        start_date=CS, **({"yellow_lag_points": 3, "red_lag_points": 10, "milestone_grace_days": 3,
                           "escalate_after_days": 2} if case.strict else {}))
    project = factories.ProjectFactory(
        campaign=campaign, planned_start=case.start, planned_end=case.end, status=case.status,
        pause_approved=case.pause_approved, pause_reason="征迁未完成" if case.pause_approved else "")
    for due, percent, done in case.milestones:
        factories.MilestoneFactory(project=project, due_date=due, planned_percent=Decimal(percent),
                                   completed_on=done)
    last = None
    for on, percent, hour in case.reports:
        last = factories.ProgressReportFactory(
            project=project, percent=Decimal(percent),
            reported_at=datetime.datetime.combine(on, datetime.time(hour), tzinfo=SHANGHAI))
    if last is not None:
        Project.objects.filter(pk=project.pk).update(progress=last.percent,
                                                     last_reported_at=last.reported_at)
    raised = case.now - datetime.timedelta(days=30)
    for due, resolved in case.obstacles:
        factories.ObstacleFactory(project=project, due_date=due, raised_at=raised,
                                  **({"status": "resolved", "resolved_on": resolved}
                                     if resolved else {}))
    for rectify_by, level, rectified in case.hazards:
        check = factories.SafetyCheckFactory(project=project, checked_on=day(11, 1))
        factories.HazardFactory(check_record=check, rectify_by=rectify_by, level=level,
                                rectified_on=rectified)
    for i, (respond_by, status, escalated) in enumerate(case.notices, start=1):
        Notice.objects.create(
            campaign=campaign, project=project, issued_to=project.leader, reason="r",
            required_action="a", status=status, number=f"湖督〔2026〕{i}号", year=2026,
            sequence=i, respond_by=respond_by,
            escalated_at=case.now - datetime.timedelta(hours=1) if escalated else None)
    return campaign, project


def test_there_are_at_least_forty_cases_with_distinct_names():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_scan_gives_the_light_and_the_warnings_the_spec_says(case):
    campaign, project = build(case)
    scan_campaign(campaign.pk, now=case.now)
    project.refresh_from_db()
    got = {f.kind: f.severity for f in Flag.objects.filter(project=project,
                                                          resolved_at__isnull=True)}
    assert (project.health, got) == (case.light, case.warnings), case.why
    # The rules are a pure function of the data and the moment: a second scan changes nothing.
    again = scan_campaign(campaign.pk, now=case.now)
    assert not again.changed, case.why
