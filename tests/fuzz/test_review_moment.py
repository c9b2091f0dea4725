"""The next review moment never comes late: random projects, walked hour by hour over a whole
campaign, give the same answer at every hour before the review moment computed at their last
assessment (rules.next_change), with nothing new written in between.

Pure rules, no database: each project is a set of rows with their dates (reports, milestones,
obstacles, hazards, notices, plan versions), read at each hour as the scan reads them (only what
is dated by then; the overdue obstacles and hazards counted as of the local date). A seeded
generator, so a failure names the seed and the project and can be replayed.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from supervision import rules
from supervision.rules import MilestoneFact, NoticeFact, OverdueFact, ProjectFacts, ReportDuty

TZ = ZoneInfo("Asia/Shanghai")
CAMPAIGN_START = datetime.date(2026, 9, 1)
CAMPAIGN_END = CAMPAIGN_START + datetime.timedelta(days=99)
#: The walk: from a week before the campaign to two weeks after its end, every hour.
WALK_FROM = datetime.datetime.combine(CAMPAIGN_START - datetime.timedelta(days=7),
                                      datetime.time(0, 0), tzinfo=TZ)
WALK_HOURS = (99 + 7 + 14) * 24
PROJECTS = 300
SEED = 20261207
HOUR = datetime.timedelta(hours=1)


@dataclass
class World:
    """One project's rows, each with its dates; read at any moment as the scan reads them."""

    start: datetime.date
    end: datetime.date
    milestones: list[MilestoneFact]
    #: (in_force_from, planned_end, milestones) of re-plans, oldest first
    versions: list[tuple]
    reports: list[tuple]  # (reported_at, percent), in the order made
    obstacles: list[tuple]  # (raised_at, due_date, resolved_on | None)
    hazards: list[tuple]  # (checked_on, rectify_by, rectified_on | None, major)
    notices: list[tuple]  # (awaiting, respond_by, escalated_at | None, number)
    thresholds: rules.Thresholds
    duty: ReportDuty
    completed: bool = False
    paused: bool = False
    seen: dict = field(default_factory=dict)


def _day(rng, lo, hi) -> datetime.date:
    return CAMPAIGN_START + datetime.timedelta(days=rng.randint(lo, hi))


def _moment(rng, lo, hi) -> datetime.datetime:
    return datetime.datetime.combine(_day(rng, lo, hi), datetime.time(
        rng.randint(0, 23), rng.choice((0, 0, 13, 59))), tzinfo=TZ)


def _percent(rng) -> Decimal:
    return Decimal(rng.randint(0, 1000)) / 10


def random_world(rng: random.Random) -> World:
    start = _day(rng, -10, 20)
    end = start + datetime.timedelta(days=rng.randint(0, 110))
    milestones = [MilestoneFact(_day(rng, -5, 110), _percent(rng),
                                rng.choice((None, None, _day(rng, 0, 110))))
                  for _ in range(rng.randint(0, 4))]
    versions = []
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        new_end = end + datetime.timedelta(days=rng.randint(-10, 40))
        new_end = max(new_end, start)
        versions.append((_day(rng, 0, 100), new_end,
                         [MilestoneFact(m.due_date + datetime.timedelta(days=rng.randint(0, 20)),
                                        m.planned_percent, m.completed_on) for m in milestones]))
    versions.sort(key=lambda v: v[0])
    reports, percent = [], Decimal(0)
    for at in sorted(_moment(rng, -3, 112) for _ in range(rng.randint(0, 14))):
        percent = min(Decimal(100), percent + Decimal(rng.randint(0, 200)) / 10) \
            if rng.random() < 0.9 else _percent(rng)
        reports.append((at, percent))
        if rng.random() < 0.15:  # a correction the same day
            reports.append((at + datetime.timedelta(minutes=rng.randint(1, 300)), _percent(rng)))
    reports.sort(key=lambda r: r[0])
    obstacles = [(_moment(rng, -5, 100), _day(rng, -5, 105),
                  rng.choice((None, _day(rng, 0, 110)))) for _ in range(rng.randint(0, 3))]
    hazards = [(_day(rng, -5, 100), _day(rng, -3, 105), rng.choice((None, _day(rng, 0, 110))),
                rng.random() < 0.3) for _ in range(rng.randint(0, 2))]
    notices = [(rng.random() < 0.7, rng.choice((None, _day(rng, 0, 105))),
                rng.choice((None, None, _moment(rng, 0, 110))), f"湖督〔2026〕{i}号")
               for i in range(rng.randint(0, 2))]
    yellow = rng.randint(1, 20)
    thresholds = rules.Thresholds(yellow, yellow + rng.randint(0, 20), rng.randint(0, 10),
                                  rng.randint(0, 5))
    # Deadlines at any hour, midnight and the last minute of a day included (the next deadline
    # bounds the plan crossings next_change looks for); a duty without an end now and then.
    due_time = datetime.time(rng.choice((0, 0, 23, rng.randint(0, 23))), rng.choice((0, 30, 59)))
    duty = ReportDuty(rng.randint(0, 6), due_time, max(CAMPAIGN_START, start),
                      rng.choice((CAMPAIGN_END, CAMPAIGN_END, None)))
    return World(start, end, milestones, versions, reports, obstacles, hazards, notices,
                 thresholds, duty, completed=rng.random() < 0.05, paused=rng.random() < 0.05)


def facts_at(w: World, now: datetime.datetime) -> ProjectFacts:
    """The project as the scan reads it at now (supervision.scan.read_inputs)."""
    as_of = now.astimezone(TZ).date()
    end, milestones, changes_on = w.end, w.milestones, []
    for in_force_from, v_end, v_milestones in w.versions:
        if in_force_from <= as_of:
            end, milestones = v_end, v_milestones
        else:
            changes_on.append(in_force_from)
    visible = [(at, pct) for at, pct in w.reports if at <= now]
    reports = [rules.ReportFact(at.astimezone(TZ).date(), pct) for at, pct in visible]
    ahead = [at for at, _pct in w.reports if at > now]

    counted = [(due, resolved) for raised, due, resolved in w.obstacles
               if raised <= now and (resolved is None or resolved > as_of)]
    overdue = [due for due, _resolved in counted if due < as_of]
    due_ahead = [due for due, _resolved in counted if due >= as_of]
    changes_on += [resolved for _due, resolved in counted if resolved is not None]
    ahead += [raised for raised, _due, _resolved in w.obstacles if raised > now]
    obstacles = OverdueFact(len(overdue), min(overdue)) if overdue else None

    hazards_counted = [(checked, by, fixed, major) for checked, by, fixed, major in w.hazards
                       if fixed is None or fixed > as_of]
    hazards_now = [(by, major) for checked, by, _fixed, major in hazards_counted
                   if checked <= as_of and by < as_of]
    due_ahead += [by for checked, by, _fixed, _major in hazards_counted
                  if checked <= as_of and by >= as_of]
    changes_on += [fixed for _c, _b, fixed, _m in hazards_counted if fixed is not None]
    changes_on += [checked for checked, _b, _f, _m in hazards_counted if checked > as_of]
    hazards = OverdueFact(len(hazards_now), min(by for by, _m in hazards_now),
                          sum(1 for _b, major in hazards_now if major)) if hazards_now else None

    notices = [NoticeFact(awaiting, respond_by, escalated is not None and escalated <= now, number)
               for awaiting, respond_by, escalated, number in w.notices]
    ahead += [escalated for _a, _r, escalated, _n in w.notices
              if escalated is not None and escalated > now]
    last_at = visible[-1][0] if visible else None
    return ProjectFacts(
        planned_start=w.start, planned_end=end, completed=w.completed,
        paused_with_reason=w.paused, milestones=milestones, reports=reports,
        report_missing=rules.is_report_missing(
            last_at, now.astimezone(TZ), w.duty.weekday, w.duty.due_time, w.duty.obliged_from,
            w.duty.obliged_until),
        obstacles=obstacles, hazards=hazards, notices=notices, reporting=w.duty,
        due_ahead=due_ahead, changes_on=changes_on, visible_from=min(ahead, default=None))


def outputs(w: World, facts: ProjectFacts, now: datetime.datetime):
    """Everything of the answer that the scan stores: the light, each warning's kind, severity
    and lasting details, and the deadline of a missing report."""
    assessment = rules.assess(facts, now.astimezone(TZ).date(), w.thresholds)
    warnings = frozenset(
        (x.kind, x.severity, json.dumps(rules.lasting(x.kind, x.details), sort_keys=True))
        for x in assessment.warnings)
    missing = rules.report_due_moment(now.astimezone(TZ), w.duty.weekday, w.duty.due_time) \
        if any(x.kind == rules.REPORT_MISSING for x in assessment.warnings) else None
    return assessment.health, warnings, missing


def reading(w: World, now: datetime.datetime) -> tuple:
    """All that facts_at reads of the clock: the local date, which dated rows are in view, the
    latest report deadline. Two moments with the same reading give the same facts (so the walk
    computes the answer again only when the reading moves, whatever next_change says)."""
    return (now.astimezone(TZ).date(),
            sum(1 for at, _p in w.reports if at <= now),
            sum(1 for raised, _d, _r in w.obstacles if raised <= now),
            sum(1 for _a, _r, at, _n in w.notices if at is not None and at <= now),
            rules.report_due_moment(now.astimezone(TZ), w.duty.weekday, w.duty.due_time))


def test_no_answer_changes_before_the_review_moment():
    rng = random.Random(SEED)
    worlds = [random_world(rng) for _ in range(PROJECTS)]
    assessed = reviews = 0
    for i, w in enumerate(worlds):
        last = review_at = None
        changes = 0
        seen = answer = None
        for hour in range(WALK_HOURS):
            now = WALK_FROM + hour * HOUR
            key = reading(w, now)
            if key != seen:
                seen = key
                facts = facts_at(w, now)
                answer = outputs(w, facts, now)
            if last is not None and (review_at is None or now < review_at):
                assert answer == last, (
                    f"seed {SEED}, project {i}: the answer changed at {now} before the review "
                    f"moment {review_at}:\n{last}\n→ {answer}")
                continue
            if last is not None and answer != last:
                changes += 1
            assessed += 1
            last = answer
            review_at = rules.next_change(facts, now, w.thresholds)
            assert review_at is None or review_at > now
        reviews += changes
    # The walk is not vacuous: answers do change over the campaign, and the review moments spare
    # most of the hourly assessments.
    assert reviews > PROJECTS
    assert assessed < PROJECTS * WALK_HOURS / 8
