"""The weekly bulletin draft, run by beat on Mondays (the schedule entry's name contains
"bulletin"): a thin Celery wrapper over supervision.bulletins, safe to run twice."""

from celery import shared_task


@shared_task(name="supervision.draft_weekly_bulletins")
def draft_weekly_bulletins_task() -> list[int]:
    """Draft last week's bulletin of every active campaign that has none yet."""
    from .bulletins import draft_weekly_bulletins

    return draft_weekly_bulletins()
