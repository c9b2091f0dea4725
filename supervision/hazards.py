"""复核 of major safety hazards: the team's 整改完毕 of a 重大 hazard (projects.services
.rectify_hazard) waits here for the supervision group of the campaign's town, who verify it (通过:
closed, who and when kept in the review) or return it (退回: back to 整改中 with the note, the
team told).

Each review is one row per round of the hazard (a database constraint) and is written under the
hazard's row lock after reading its state again, so double clicks and concurrent requests store
one review and the others are refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from campaign.access import may_supervise, supervisors_by_campaign
from campaign.models import Campaign
from core import pagecache
from core.dates import local_date
from core.links import path_to
from core.queue import enqueue_on_commit
from projects import photos as photo_copies
from projects.models import Hazard, Project

from .models import HazardReview
from .notify import Message, notify, notify_many


def awaiting_review(campaign):
    """The campaign's major hazards whose 整改完毕 awaits 复核, the longest waiting first."""
    return (Hazard.objects.filter(check_record__project__campaign=campaign,
                                  status=Hazard.Status.AWAITING_REVIEW)
            .select_related("check_record__project").order_by("rectified_on", "pk"))


def _label(hazard: Hazard) -> str:
    project = hazard.check_record.project
    return f"{project.code} {project.name}"


def awaiting_review_messages(campaigns: dict, hazard_ids=None) -> list[Message]:
    """The message to each supervisor of {id: Campaign} for every major hazard awaiting 复核
    there (or those of hazard_ids), once per round by its dedupe key: the announcement when a
    hazard enters review, and the reminders' catch-up should that announcement have been lost
    (a broker down). Two queries."""
    rows = Hazard.objects.filter(status=Hazard.Status.AWAITING_REVIEW,
                                 check_record__project__campaign_id__in=list(campaigns))
    if hazard_ids is not None:
        rows = rows.filter(pk__in=list(hazard_ids))
    rows = list(rows.values_list("pk", "review_round", "description", "rectification",
                                 "check_record__project__campaign_id",
                                 "check_record__project__code", "check_record__project__name"))
    if not rows:
        return []
    supervisors = supervisors_by_campaign(campaigns)
    out = []
    with translation.override(settings.LANGUAGE_CODE):
        for pk, round_, description, rectification, cid, code, name in rows:
            title = _("Major safety hazard of %(project)s rectified, awaiting review") % {
                "project": f"{code} {name}"}
            out += [Message(uid, "hazard_review", title, f"{description}\n{rectification}",
                            path_to("hazard_review", pk), f"hazard-review:{pk}:{round_}", cid)
                    for uid in supervisors.get(cid, ())]
    return out


def announce_awaiting_review(hazard_id: int) -> int:
    """Tell the town's supervision group that a major hazard awaits 复核 (once per round, safe
    to run twice); nothing when it no longer awaits review. Returns how many were told."""
    campaign = Campaign.objects.filter(projects__safety_checks__hazards=hazard_id).first()
    if campaign is None:
        return 0
    return notify_many(awaiting_review_messages({campaign.pk: campaign}, [hazard_id]))


@transaction.atomic
def review_hazard(hazard: Hazard, user, *, verdict: str, note: str = "", photo=None) -> HazardReview:
    """The supervision group's 复核 of a major hazard awaiting review: VERIFIED closes it,
    RETURNED (a note required) sends it back to 整改中 and tells the project's team and leader."""
    locked = (Hazard.objects.select_for_update(of=("self",))
              .select_related("check_record__project__campaign").get(pk=hazard.pk))
    project = locked.check_record.project
    if not may_supervise(user, project.campaign):
        raise PermissionDenied
    if locked.status != Hazard.Status.AWAITING_REVIEW:
        raise ValidationError(_("This hazard is not awaiting review: it has been reviewed already."))
    if verdict not in HazardReview.Verdict.values:
        raise ValidationError({"verdict": _("Choose verified or returned.")})
    note = note.strip()
    if verdict == HazardReview.Verdict.RETURNED and not note:
        raise ValidationError({"note": _("Say why the rectification is returned.")})
    review = HazardReview(hazard=locked, round=locked.review_round, verdict=verdict, note=note,
                          rectification=locked.rectification, rectified_on=locked.rectified_on,
                          reviewed_by=user)
    if photo:
        prepared = photo_copies.prepare(photo)
        review.photo_taken_at = prepared.taken_at
        # A photo from before this period, or before the rectification it verifies, proves
        # nothing of it: marked as every stored photo is.
        review.photo_taken_before_period = photo_copies.taken_before(
            prepared.taken_at, photo_copies.period_start(
                project.campaign, local_date(),
                not_before=locked.rectified_on or locked.check_record.checked_on))
        review.photo.save(prepared.original.name, prepared.original, save=False)
        review.photo_screen.save(prepared.screen.name, prepared.screen, save=False)
        review.photo_thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    review.save()
    if verdict == HazardReview.Verdict.VERIFIED:
        locked.status = Hazard.Status.RECTIFIED
    else:
        # Not rectified after all: open again and, past its date, overdue again for the scan.
        locked.status, locked.rectified_on = Hazard.Status.OPEN, None
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Rectification of a major safety hazard of %(project)s returned: %(what)s") % {
                "project": _label(locked), "what": locked.description[:60]}
        team = [project.leader_id, *project.assignments.values_list("user_id", flat=True)]
        notify(team, kind="hazard_returned", title=title, body=note,
               url=path_to("hazard_rectify", locked.pk), campaign=project.campaign_id,
               dedupe_key=f"hazard-returned:{locked.pk}:{review.round}")
    locked.save(update_fields=["status", "rectified_on"])
    Project.review_now([project.pk])  # a returned hazard counts again: due for review
    enqueue_on_commit("supervision.scan_project", project.pk)
    pagecache.bump_campaigns([project.campaign_id])
    return review
