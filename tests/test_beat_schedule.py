"""One beat schedule, every entry naming a task the worker knows (DESIGN.md, Runtime)."""

from django.conf import settings

from config.celery import app


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()
    return set(app.tasks)


def test_every_beat_entry_names_a_registered_task():
    tasks = registered_tasks()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in tasks, name


def test_no_task_is_scheduled_twice_under_two_names():
    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert len(names) == len(set(names))


def test_the_schedule_of_design_md_is_there():
    by_task = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    hourly = by_task["supervision.scan_all"]
    assert hourly.minute == {0} and 7 in hourly.hour and len(hourly.hour) == 24
    bulletin = next(e for n, e in settings.CELERY_BEAT_SCHEDULE.items() if "bulletin" in n)
    assert bulletin["schedule"].day_of_week == {1}
    assert bulletin["schedule"].hour == {8}
    nightly = by_task["supervision.reevaluate_all"]  # the safety net under the review moments
    assert nightly.hour == {2} and nightly.minute == {30}
    assert "supervision.urge_notices" in by_task
    assert "supervision.send_reminders" in by_task
