"""Hypothesis drives the rules of lateness with generated plans and reports."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision import rules

BASE = datetime.date(2026, 9, 1)

days = st.integers(min_value=-30, max_value=250)
percents = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def plans(draw):
    start = BASE + datetime.timedelta(days=draw(st.integers(0, 30)))
    end = start + datetime.timedelta(days=draw(st.integers(0, 200)))
    milestones = [
        rules.MilestoneFact(BASE + datetime.timedelta(days=draw(days)), draw(percents),
                            draw(st.none() | st.just(BASE + datetime.timedelta(days=draw(days)))))
        for _ in range(draw(st.integers(0, 5)))
    ]
    return start, end, milestones


@st.composite
def report_lists(draw):
    offsets = draw(st.lists(days, max_size=12))
    return [rules.ReportFact(BASE + datetime.timedelta(days=o), draw(percents)) for o in offsets]


@settings(max_examples=300, deadline=None)
@given(plans(), days, days)
def test_the_plan_is_between_0_and_100_and_never_goes_down(plan, a, b):
    start, end, milestones = plan
    first, second = sorted([BASE + datetime.timedelta(days=a), BASE + datetime.timedelta(days=b)])
    p1 = rules.planned_percent(first, start, end, milestones)
    p2 = rules.planned_percent(second, start, end, milestones)
    assert Decimal(0) <= p1 <= p2 <= Decimal(100)


@settings(max_examples=300, deadline=None)
@given(plans(), report_lists(), days, st.booleans(), st.booleans(), st.booleans(),
       st.integers(0, 50), st.integers(0, 50), st.integers(0, 30))
def test_assess_always_answers_with_a_known_light(plan, reports, as_of_offset, completed, paused,
                                                  missing, yellow, extra, grace):
    start, end, milestones = plan
    as_of = BASE + datetime.timedelta(days=as_of_offset)
    facts = rules.ProjectFacts(start, end, completed=completed, paused_with_reason=paused,
                               milestones=milestones, reports=reports, report_missing=missing)
    thresholds = rules.Thresholds(yellow, yellow + extra, grace)
    a = rules.assess(facts, as_of, thresholds)
    assert a.health in {"green", "yellow", "red", "done", "paused"}
    assert a.lag == rules.lag(a.planned_percent, a.actual_percent)
    assert a.measured_on <= as_of
    if completed:
        assert a.health == "done"
    elif a.lag >= thresholds.red_lag_points:
        assert a.health == ("paused" if paused else "red")
    assert rules.assess(facts, as_of, thresholds) == a


@settings(max_examples=300, deadline=None)
@given(plans(), report_lists(), days)
def test_a_forecast_is_never_before_the_latest_report_it_uses(plan, reports, as_of_offset):
    start, end, milestones = plan
    as_of = BASE + datetime.timedelta(days=as_of_offset)
    curve = rules.plan_curve(start, end, milestones)
    forecast = rules.forecast_finish(reports, as_of, curve)
    seen = [r.reported_on for r in reports if r.reported_on <= as_of]
    if forecast is not None:
        assert forecast >= max(seen)
