"""The life of a supervision notice (督办单), one service per step.

draft → issued (交办) → acknowledged (签收) → responded (反馈) → closed (办结, 销号);
a response the supervision group does not accept is returned (退回) and answered again.

Each step runs in one transaction, locks the notice row, checks who may do it (`refusal`),
writes a NoticeEvent and notifies the people concerned after commit. A refused step raises
NoticeStepRefused with a message fit to show the user.

Who does what: the supervision group (supervisors and the campaign office) drafts, issues,
returns and closes; the leader the notice is issued to acknowledges and responds. The scan drafts
and, with the campaign's auto_issue_notices on, issues as the system (actor None).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from campaign.access import is_supervisor, may_supervise, supervisors_by_campaign, supervisors_of
from campaign.models import Campaign
from campaign.people import name_of
from core import pagecache
from core.bulk import insert_rows
from core.dates import day_end, day_start, local_date
from core.links import path_maker, path_to
from core.lookups import Ids
from core.queue import enqueue_on_commit
from core.uploads import IMAGE_KINDS, check_image, content_kind
from projects import photos as photo_copies
from projects.models import Project

from . import notify
from .models import (
    Criticism,
    Evidence,
    Flag,
    Notice,
    NoticeCounter,
    NoticeEvent,
    NoticeResponse,
    ResponsePhoto,
)

Status = Notice.Status
Action = NoticeEvent.Action


class NoticeStepRefused(PermissionDenied):
    """A step the user's role or the notice's state does not allow; `message` says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return str(self.message)


# Steps and the states they start from.
STEPS = {
    "issue": (Status.DRAFT,),
    "acknowledge": (Status.ISSUED,),
    "respond": (Status.ACKNOWLEDGED, Status.RETURNED),
    "return": (Status.RESPONDED,),
    "close": (Status.RESPONDED,),
}
SUPERVISION_STEPS = {"issue", "return", "close", "edit", "delete", "urge"}
LEADER_STEPS = {"acknowledge", "respond"}
#: What the supervision group may do to a notice beside its lifecycle: correct or discard a draft,
#: urge (催办) a notice awaiting its answer.
MANAGE_STEPS = {
    "edit": (Status.DRAFT,),
    "delete": (Status.DRAFT,),
    "urge": Notice.AWAITING_RESPONSE,
}

_WRONG_STATE = {
    "issue": gettext_lazy("Only a draft notice can be issued."),
    "acknowledge": gettext_lazy("Only an issued notice can be acknowledged."),
    "respond": gettext_lazy("Acknowledge the notice before responding to it."),
    "return": gettext_lazy("Only a notice with a response can be returned."),
    "close": gettext_lazy("Only a notice with a response can be closed."),
    "edit": gettext_lazy("Only a draft notice can be edited."),
    "delete": gettext_lazy("Only a draft notice can be deleted."),
    "urge": gettext_lazy("Only a notice awaiting its response can be urged."),
}


def refusal(step: str, notice: Notice, user) -> str | None:
    """Why the user may not take this step now, or None when they may.

    user None is the system (the scan issuing under auto_issue_notices).
    """
    if notice.status not in (STEPS.get(step) or MANAGE_STEPS[step]):
        return str(_WRONG_STATE[step])
    if step in SUPERVISION_STEPS:
        if user is not None and not is_supervisor(user):
            return _("Only the supervision group can do this.")
        if user is not None and not may_supervise(user, notice.campaign):
            return _("Only the supervision group of this campaign's own town can do this.")
    elif user is None or user.pk != notice.issued_to_id:
        return _("Only the leader the notice is issued to can do this.")
    return None


def allowed_steps(notice: Notice, user) -> list[str]:
    """The steps the user may take on the notice now (for buttons on the notice page)."""
    return [step for step in STEPS if refusal(step, notice, user) is None]


def allowed_manage_steps(notice: Notice, user) -> list[str]:
    """Edit, delete, urge: the management steps the user may take on the notice now."""
    return [step for step in MANAGE_STEPS if refusal(step, notice, user) is None]


def _check(step: str, notice: Notice, user) -> None:
    reason = refusal(step, notice, user)
    if reason is not None:
        raise NoticeStepRefused(reason)


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("campaign", "project").get(
        pk=notice.pk)


def _event(notice: Notice, action: str, actor, at, comment: str = "",
           respond_by: datetime.date | None = None) -> NoticeEvent:
    """A step of the notice, on its record; the campaign's pages show notices (cached), and the
    rules read the project's notices (its review moment is due) — but not how often it was urged,
    so an urging leaves the moment as it is."""
    pagecache.bump_campaigns([notice.campaign_id])
    if action != Action.URGED:
        Project.review_now([notice.project_id])
    return NoticeEvent.objects.create(notice=notice, action=action, actor=actor, at=at,
                                      comment=comment, respond_by=respond_by)


def _refresh_caller_copy(original: Notice, locked: Notice) -> Notice:
    for field in locked._meta.concrete_fields:
        setattr(original, field.attname, getattr(locked, field.attname))
    return original


def notice_url(notice: Notice) -> str:
    return path_to("notice_detail", notice.pk)


def _label(notice: Notice) -> str:
    return notice.number or _("draft notice")


def _notify(users, notice: Notice, kind: str, title: str, body: str = "", dedupe_key=""):
    notify.notify(users, kind=kind, title=title, body=body, url=notice_url(notice),
                  campaign=notice.campaign_id, dedupe_key=dedupe_key)


# --- Steps --------------------------------------------------------------------------------------


@transaction.atomic
def create_draft_notice(project, flags=(), *, reason: str, required_action: str,
                        created_by=None) -> Notice:
    """A draft notice to the project's leader, for the supervision group to review and issue."""
    if created_by is not None and not is_supervisor(created_by):
        raise NoticeStepRefused(_("Only the supervision group can do this."))
    if created_by is not None and not may_supervise(created_by, project.campaign):
        raise NoticeStepRefused(_("Only the supervision group of this campaign's own town can do "
                                  "this."))
    if not reason.strip() or not required_action.strip():
        raise ValidationError(_("A notice needs a reason and the action required."))
    now = timezone.now()
    notice = Notice.objects.create(
        campaign_id=project.campaign_id, project=project, issued_to_id=project.leader_id,
        reason=reason, required_action=required_action, created_by=created_by, created_at=now,
    )
    flags = list(flags)
    if flags:
        notice.flags.set(flags)
    _event(notice, Action.CREATED, created_by, now)
    _notify(supervisors_of(project.campaign), notice, "notice_drafted",
            _("Draft notice for %(project)s awaits review") % {"project": project},
            reason, dedupe_key=f"notice-drafted:{notice.pk}")
    return notice


def warnings_reason(project_label: str, lines, _=_) -> str:
    """The reason of a notice drafted from warnings: the project, then one line per warning."""
    return (_("%(project)s has these warnings:") % {"project": project_label} + "\n"
            + "\n".join(lines))


def _refresh_figures(locked: Notice) -> bool:
    """A draft written from the project's warnings (by the scan, reason untouched since) takes
    the warnings as they stand now: a draft issued days later says today's planned, actual and
    lag. Its flags follow. Returns whether the reason was rewritten."""
    if not locked.auto_reason:
        return False
    flags = list(Flag.objects.filter(project_id=locked.project_id, resolved_at__isnull=True)
                 .order_by("kind"))
    if not flags:  # every warning has cleared: keep the figures the draft was written on
        return False
    with translation.override(settings.LANGUAGE_CODE):
        project = locked.project
        reason = warnings_reason(f"{project.code} {project.name}",
                                 [flag_sentence(f) for f in flags])
    locked.flags.set(flags)
    changed = reason != locked.reason
    locked.reason = reason
    return changed


@transaction.atomic
def edit_draft_notice(notice: Notice, actor, *, reason: str, required_action: str) -> Notice:
    """Correct a draft before it is issued. A reason typed by hand is kept as typed on issue."""
    locked = _lock(notice)
    _check("edit", locked, actor)
    if not reason.strip() or not required_action.strip():
        raise ValidationError(_("A notice needs a reason and the action required."))
    fields = ["required_action"]
    if reason != locked.reason:
        locked.reason, locked.auto_reason = reason, False
        fields += ["reason", "auto_reason"]
    locked.required_action = required_action
    locked.save(update_fields=fields)
    _event(locked, Action.EDITED, actor, timezone.now())
    return _refresh_caller_copy(notice, locked)


@transaction.atomic
def delete_draft_notice(notice: Notice, actor) -> None:
    """Discard a draft (a duplicate, or one no longer needed). Drafts have no number, so no gap
    is left in the numbers: they are given at issue."""
    locked = _lock(notice)
    _check("delete", locked, actor)
    pagecache.bump_campaigns([locked.campaign_id])
    Project.review_now([locked.project_id])  # the project may deserve a notice again
    locked.delete()


@transaction.atomic
def urge_notice(notice: Notice, actor, note: str) -> Notice:
    """The supervision group urges (催办) a notice awaiting its answer, with a note to the leader."""
    locked = _lock(notice)
    _check("urge", locked, actor)
    if not note.strip():
        raise ValidationError({"note": _("Write what the leader is urged to do.")})
    now = timezone.now()
    locked.urge_count += 1
    locked.last_urged_at = now
    locked.save(update_fields=["urge_count", "last_urged_at"])
    event = _event(locked, Action.URGED, actor, now, note)
    _notify([locked.issued_to_id], locked, "notice_urged",
            _("Urged: %(number)s, respond by %(date)s")
            % {"number": locked.number, "date": locked.respond_by},
            note, dedupe_key=f"notice-urged:{locked.pk}:{event.pk}")
    return _refresh_caller_copy(notice, locked)


def notice_number(campaign: Campaign, year: int, sequence: int) -> str:
    """The number a notice is known by: 湖督〔2026〕12号."""
    return f"{campaign.notice_prefix}〔{year}〕{sequence}号"


def next_number(campaign: Campaign, year: int) -> tuple[int, str]:
    """The next sequence and number for the campaign and year (see _take_numbers)."""
    sequence, _last = _take_numbers(campaign, year, 1)
    return sequence, notice_number(campaign, year, sequence)


def latest_respond_by(campaign, today: datetime.date) -> datetime.date:
    """The latest response date a notice may be given: the campaign's end, or, near or after
    the end, the campaign's usual days to respond from today."""
    return max(campaign.end_date,
               today + datetime.timedelta(days=campaign.notice_response_days))


def check_respond_by(campaign, respond_by: datetime.date | None, today: datetime.date) -> None:
    """A typed response date must fall within the campaign (a notice due in 9999 never becomes
    overdue)."""
    if respond_by is None:
        return
    last = latest_respond_by(campaign, today)
    if respond_by > last:
        raise ValidationError({"respond_by": _(
            "The response date must fall within the campaign: %(last)s at the latest.")
            % {"last": last.isoformat()}})


@transaction.atomic
def issue_notice(notice: Notice, actor, respond_by: datetime.date | None = None) -> Notice:
    """Number the notice and send it to the leader (交办), due in notice_response_days."""
    locked = _lock(notice)
    _check("issue", locked, actor)
    now = timezone.now()
    today = local_date(now)
    if respond_by is not None and respond_by < today:
        raise ValidationError({"respond_by": _("The response date cannot be in the past.")})
    check_respond_by(locked.campaign, respond_by, today)
    refreshed = _refresh_figures(locked)
    locked.sequence, locked.number = next_number(locked.campaign, today.year)
    locked.year = today.year
    locked.status = Status.ISSUED
    locked.issued_at = now
    locked.respond_by = respond_by or today + datetime.timedelta(
        days=locked.campaign.notice_response_days)
    # To whoever leads the project now: the leader may have changed while the draft waited.
    locked.issued_to_id = locked.project.leader_id
    locked.save(update_fields=["year", "sequence", "number", "status", "issued_at", "respond_by",
                               "issued_to", "reason"])
    _event(locked, Action.ISSUED, actor, now,
           _("Figures brought up to date on issue.") if refreshed else "",
           respond_by=locked.respond_by)
    _notify([locked.issued_to_id], locked, "notice_issued",
            _("Supervision notice %(number)s: %(project)s, respond by %(date)s")
            % {"number": locked.number, "project": locked.project, "date": locked.respond_by},
            f"{locked.reason}\n{locked.required_action}", dedupe_key=f"notice-issued:{locked.pk}")
    return _refresh_caller_copy(notice, locked)


@transaction.atomic
def acknowledge_notice(notice: Notice, actor) -> Notice:
    """The leader signs for the notice (签收)."""
    locked = _lock(notice)
    _check("acknowledge", locked, actor)
    now = timezone.now()
    locked.status = Status.ACKNOWLEDGED
    locked.acknowledged_at = now
    locked.save(update_fields=["status", "acknowledged_at"])
    _event(locked, Action.ACKNOWLEDGED, actor, now)
    _notify(supervisors_of(locked.campaign), locked, "notice_acknowledged",
            _("%(number)s acknowledged by %(person)s")
            % {"number": locked.number, "person": _person(actor)},
            dedupe_key=f"notice-acknowledged:{locked.pk}:{now.isoformat()}")
    return _refresh_caller_copy(notice, locked)


def _photo_since(notice: Notice, responded_at) -> datetime.date:
    """An evidence photo proves what was done after the notice was issued, in the week it was sent."""
    issued_on = local_date(notice.issued_at) if notice.issued_at else None
    return photo_copies.period_start(notice.campaign, local_date(responded_at), not_before=issued_on)


@transaction.atomic
def respond_to_notice(notice: Notice, actor, measures: str, files=()) -> NoticeResponse:
    """The leader's rectification answer (整改反馈), with evidence files (checked by the form):
    a photo is stored as a ResponsePhoto (projects.photos: no GPS or camera, a thumbnail, marked
    when taken before the notice was issued), any other file as Evidence."""
    locked = _lock(notice)
    _check("respond", locked, actor)
    if not measures.strip():
        raise ValidationError({"measures": _("Describe the measures taken.")})
    now = timezone.now()
    response = NoticeResponse.objects.create(notice=locked, measures=measures, responded_by=actor,
                                             responded_at=now)
    photos = []
    for file in files:
        if content_kind(file) in IMAGE_KINDS:
            photos.append(file)
        else:
            Evidence.objects.create(response=response, file=file, uploaded_at=now,
                                    original_name=os.path.basename(file.name or "")[:255])
    photo_copies.store(ResponsePhoto, photos, response=response, uploaded_at=now,
                       since=_photo_since(locked, now))
    locked.status = Status.RESPONDED
    locked.responded_at = now
    locked.save(update_fields=["status", "responded_at"])
    _event(locked, Action.RESPONDED, actor, now, measures)
    _notify(supervisors_of(locked.campaign), locked, "notice_responded",
            _("%(number)s answered by %(person)s: please verify")
            % {"number": locked.number, "person": _person(actor)}, measures,
            dedupe_key=f"notice-responded:{locked.pk}:{response.pk}")
    _refresh_caller_copy(notice, locked)
    return response



def return_comments(notices) -> dict[int, str]:
    """{notice id: why its last response was returned} for returned notices, in one query."""
    comments = {}
    for notice_id, comment in (NoticeEvent.objects
                               .filter(notice__in=[n.pk for n in notices], action=Action.RETURNED)
                               .order_by("notice_id", "-at", "-pk")
                               .values_list("notice_id", "comment")):
        comments.setdefault(notice_id, comment)
    return comments


# --- Where a notice stood on a day, from its steps ---------------------------------------------

#: The state each step leaves the notice in (urging, escalating and editing leave it as it was).
_STATE_AFTER = {Action.CREATED: Status.DRAFT, Action.ISSUED: Status.ISSUED,
                Action.ACKNOWLEDGED: Status.ACKNOWLEDGED, Action.RESPONDED: Status.RESPONDED,
                Action.RETURNED: Status.RETURNED, Action.CLOSED: Status.CLOSED}
#: The steps that give the leader a date to respond by.
_SETS_DATE = (Action.ISSUED, Action.RETURNED)
#: The steps the bulletin reads (standing): the others change neither state nor date.
STANDING_STEPS = tuple(_STATE_AFTER)


@dataclasses.dataclass(frozen=True)
class Standing:
    """A notice as it stood at the end of a local day, and its lateness over a period up to it."""

    status: str  #: its state that evening
    respond_by: datetime.date | None  #: the response date then in force
    days_overdue: int  #: days past that date with no response, that evening (0: not overdue)
    most_days_late: int  #: the most days past a response date reached in the period (0: never)
    missed: datetime.date | None  #: the response date of that lateness


def standing(notice: Notice, steps, start: datetime.date, as_of: datetime.date) -> Standing:
    """Where the notice stood at the end of as_of, and the lateness it reached from start to
    as_of — an answer given late in the period counts, even when it was returned afterwards with
    a new date or the notice is closed by now.

    steps: the notice's (action, at, respond_by) in order (STANDING_STEPS suffice). Late is as
    Notice.is_overdue says: awaiting a response on a day after the date in force; each answer
    ends a spell, each issuing or return starts one with the date it set. The last date set is
    the notice's own respond_by (a step's copy is for the earlier spells; set by hand in the
    admin, the notice's date is what holds)."""
    until = day_end(as_of)
    steps = list(steps)
    last_setting = max((i for i, step in enumerate(steps) if step[0] in _SETS_DATE), default=None)
    steps = [step for step in steps if step[1] <= until]  # the last setting may come after
    status, respond_by, since, most, missed = Status.DRAFT, None, None, 0, None

    def late_until(day: datetime.date) -> int:
        # The lateness reached by the end of `day` in the spell since `since`, if in the period.
        if respond_by is None or since is None or day <= respond_by or day < start:
            return 0
        return (day - respond_by).days

    for i, (action, at, step_date) in enumerate(steps):
        if action in _SETS_DATE:
            respond_by = notice.respond_by if i == last_setting else step_date
            since = at
        elif action in (Action.RESPONDED, Action.CLOSED) and since is not None:
            if (late := late_until(local_date(at))) > most:
                most, missed = late, respond_by
            since = None
        status = _STATE_AFTER.get(action, status)
    days_overdue = late_until(as_of) if status in Notice.AWAITING_RESPONSE else 0
    if days_overdue >= most and days_overdue:
        most, missed = days_overdue, respond_by
    return Standing(status, respond_by, days_overdue, most, missed)


@transaction.atomic
def evidence_to_photo(evidence_pk: int) -> bool:
    """An image stored as an evidence file before photos were kept apart, made an evidence photo
    (projects.photos.store: no metadata, a thumbnail, its capture time) of the same response; the
    old file, which kept the phone's GPS position, is deleted once this commits. False for a
    document, an unreadable image or one already moved (safe to run twice)."""
    evidence = (Evidence.objects.select_for_update(of=("self",))
                .select_related("response__notice__campaign").filter(pk=evidence_pk).first())
    if evidence is None:
        return False
    with evidence.file.open("rb") as handle:
        if content_kind(handle) not in IMAGE_KINDS:
            return False
        try:
            check_image(handle, formats=IMAGE_KINDS)
        except ValidationError:
            return False
        response = evidence.response
        photo_copies.store(ResponsePhoto, [handle], response=response, uploaded_at=evidence.uploaded_at,
                           since=_photo_since(response.notice, response.responded_at))
    old_name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(old_name))
    pagecache.bump_campaigns([response.notice.campaign_id])
    return True


@transaction.atomic
def return_notice(notice: Notice, actor, comment: str) -> Notice:
    """The supervision group does not accept the response (退回): the leader answers again, within
    the campaign's response time from today."""
    locked = _lock(notice)
    _check("return", locked, actor)
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the response is returned.")})
    now = timezone.now()
    locked.status = Status.RETURNED
    # The leader gets the campaign's response time again: a response given on time and returned
    # after the first date must not count as overdue (urged, escalated, criticised) at once.
    again_by = local_date(now) + datetime.timedelta(
        days=locked.campaign.notice_response_days)
    locked.respond_by = max(locked.respond_by, again_by) if locked.respond_by else again_by
    locked.save(update_fields=["status", "respond_by"])
    event = _event(locked, Action.RETURNED, actor, now, comment, respond_by=locked.respond_by)
    _notify([locked.issued_to_id], locked, "notice_returned",
            _("%(number)s returned: the response is not accepted") % {"number": locked.number},
            comment, dedupe_key=f"notice-returned:{locked.pk}:{event.pk}")
    return _refresh_caller_copy(notice, locked)


@transaction.atomic
def close_notice(notice: Notice, actor, comment: str = "") -> Notice:
    """The supervision group verifies the rectification and closes the notice (办结, 销号)."""

    locked = _lock(notice)
    _check("close", locked, actor)
    now = timezone.now()
    locked.status = Status.CLOSED
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at"])
    _event(locked, Action.CLOSED, actor, now, comment)
    _notify([locked.issued_to_id], locked, "notice_closed",
            _("%(number)s closed") % {"number": locked.number}, comment,
            dedupe_key=f"notice-closed:{locked.pk}")
    enqueue_on_commit("supervision.scan_project", locked.project_id)
    return _refresh_caller_copy(notice, locked)


def _person(user) -> str:
    return name_of(user, _("the system"))


# --- Urging and escalation (daily) ------------------------------------------------------------


def urge_overdue_notices(campaign: Campaign, now: datetime.datetime | None = None) -> dict:
    """Urge (催办) every notice past respond_by without a response, once a local day; after
    escalate_after_days overdue, escalate it once and draft a Criticism of the leader.

    Each notice is claimed with a conditional UPDATE, so two runs on the same day urge it once.
    Returns the counts {"urged": n, "escalated": m}.
    """
    now = now or timezone.now()
    today = local_date(now)
    today_start = day_start(today)
    counts = {"urged": 0, "escalated": 0}
    overdue = (Notice.objects.filter(campaign=campaign, status__in=Notice.AWAITING_RESPONSE,
                                     respond_by__lt=today)
               .select_related("project", "campaign").order_by("pk"))
    with translation.override(settings.LANGUAGE_CODE):
        for notice in overdue:
            days = (today - notice.respond_by).days
            with transaction.atomic():
                claimed = Notice.objects.filter(
                    Q(last_urged_at__isnull=True) | Q(last_urged_at__lt=today_start),
                    pk=notice.pk, status__in=Notice.AWAITING_RESPONSE,
                ).update(last_urged_at=now, urge_count=F("urge_count") + 1)
                if claimed:
                    counts["urged"] += 1
                    _event(notice, Action.URGED, None, now,
                           _("%(days)s days overdue") % {"days": days})
                    _notify([notice.issued_to_id], notice, "notice_urged",
                            _("Urgent: %(number)s is %(days)s days overdue")
                            % {"number": notice.number, "days": days},
                            notice.required_action, dedupe_key=f"notice-urged:{notice.pk}:{today}")
                if days >= campaign.escalate_after_days and _escalate(notice, now, days):
                    counts["escalated"] += 1
    return counts


def _escalate(notice: Notice, now, days: int) -> bool:
    if not Notice.objects.filter(pk=notice.pk, escalated_at__isnull=True).update(escalated_at=now):
        return False
    # An escalated notice is a red notice flag: _event makes the project due.
    _event(notice, Action.ESCALATED, None, now, _("%(days)s days overdue") % {"days": days})
    Criticism.objects.get_or_create(
        notice=notice,
        defaults={
            "campaign_id": notice.campaign_id, "project_id": notice.project_id,
            "person_id": notice.issued_to_id, "created_at": now,
            "reason": _("Supervision notice %(number)s on %(project)s was not answered "
                        "%(days)s days after its deadline %(date)s.")
            % {"number": notice.number, "project": notice.project, "days": days,
               "date": notice.respond_by},
        },
    )
    _notify(supervisors_of(notice.campaign), notice, "notice_escalated",
            _("%(number)s escalated: %(days)s days overdue, criticism drafted")
            % {"number": notice.number, "days": days}, dedupe_key=f"notice-escalated:{notice.pk}")
    return True


# --- Drafting from the scan, in bulk ------------------------------------------------------------


def describe_flag(kind: str, severity: str, details: dict, _=_, labels=None,
                  as_of: datetime.date | None = None) -> str:
    """One line for a warning (a flag): its kind, the figures behind it and the threshold it
    crossed — the reason of a notice, and on the pages why a project has its light (the scan
    passes a memoized ``_`` and the kinds' labels translated once). docs/rules.md gives the rules
    these sentences tell.

    The days overdue are counted on read, from the date stored ("since": the oldest date passed)
    to as_of (today by default); a flag written before that stored "days_overdue", read as is."""
    label = labels[kind] if labels else dict(Flag.Kind.choices)[kind]
    red = severity == "red"
    d = details
    days = _days_overdue(d, as_of)
    if kind == Flag.Kind.BEHIND_PLAN:
        if not {"planned", "actual", "lag"} <= set(d):
            return _("%(label)s: %(lag)s points behind") % {"label": label,
                                                            "lag": d.get("lag", "?")}
        if "threshold" not in d:  # a flag written before the thresholds were told
            return _("%(label)s: planned %(planned)s%%, reported %(actual)s%%, %(lag)s points "
                     "behind") % {"label": label, **d}
        text = (_("%(label)s: planned %(planned)s%%, reported %(actual)s%%, %(lag)s points behind, "
                  "reaching the red threshold of %(threshold)s") if red else
                _("%(label)s: planned %(planned)s%%, reported %(actual)s%%, %(lag)s points behind, "
                  "reaching the yellow threshold of %(threshold)s"))
        return text % {"label": label, **d}
    if kind == Flag.Kind.FINISH_AT_RISK:
        if d.get("past_end"):
            return _("%(label)s: past the planned end %(end)s at %(actual)s%%") % {
                "label": label, "end": d.get("planned_end"), "actual": d.get("actual")}
        if d.get("forecast") == "never":
            return _("%(label)s: the recent reports show no progress, planned end %(end)s") % {
                "label": label, "end": d.get("planned_end")}
        return _("%(label)s: at the present pace it finishes on %(forecast)s, planned %(end)s") % {
            "label": label, "forecast": d.get("forecast"), "end": d.get("planned_end")}
    if kind == Flag.Kind.HAZARD_OVERDUE and d.get("major"):
        return _("%(label)s: %(days)s days overdue, a major hazard (red)") % {
            "label": label, "days": days}
    if kind == Flag.Kind.NOTICE_OVERDUE and "escalate_after" in d:
        if d.get("escalated"):
            return _("%(label)s: %(days)s days overdue, escalated (red)") % {
                "label": label, "days": days}
        if red:
            return _("%(label)s: %(days)s days overdue, beyond the %(after)s days before "
                     "escalation (red)") % {"label": label, "days": days,
                                            "after": d["escalate_after"]}
    if days is not None and "grace" in d:
        text = (_("%(label)s: %(days)s days overdue, beyond the %(grace)s days' grace (red)") if red
                else _("%(label)s: %(days)s days overdue, within the %(grace)s days' grace"))
        return text % {"label": label, "days": days, "grace": d["grace"]}
    if "days_overdue" in d:
        return _("%(label)s: %(days)s days overdue") % {"label": label,
                                                        "days": days}
    if kind == Flag.Kind.REPORT_MISSING and d.get("due"):
        return _("%(label)s: nothing reported for the week due %(due)s") % {
            "label": label, "due": d["due"][:16].replace("T", " ")}
    return str(label)


def _days_overdue(details: dict, as_of: datetime.date | None) -> int | None:
    """Days from the stored date passed ("since") to as_of; an old flag's "days_overdue"."""
    since = details.get("since")
    if since:
        as_of = as_of or local_date(timezone.now())
        return (as_of - datetime.date.fromisoformat(since)).days
    return details.get("days_overdue")


def flag_sentence(flag: Flag) -> str:
    """describe_flag for a Flag row."""
    return describe_flag(flag.kind, flag.severity, flag.details or {})


def auto_respond_by(campaign: Campaign, today: datetime.date) -> datetime.date:
    """The respond-by date of a notice the scan issues at once (auto_issue_notices) today."""
    return today + datetime.timedelta(days=campaign.notice_response_days)


def draft_notices_from_scan(campaigns: dict, items: list[tuple], now) -> tuple[int, int]:
    """Draft one notice per (project_id, campaign_id, leader_id, code, name, wanted flags) in a few
    queries; issue them at once in campaigns with auto_issue_notices. Returns (drafted, issued).

    Runs inside the scan's transaction, which holds the campaigns' row locks. The notices, their
    flags, events and messages go in as rows (core.bulk.insert_rows), not model instances: a
    first scan drafts thousands. A notice issued at once is written issued, its number taken
    first (under the counter's lock, as issue() takes it)."""
    with translation.override(settings.LANGUAGE_CODE):
        _ = functools.cache(gettext)  # thousands of notices, a handful of messages
        labels = {kind: str(label) for kind, label in Flag.Kind.choices}
        today = local_date(now)
        # One draft or open notice per project: a draft typed by hand since the scan read the
        # notices (or a duplicate item) makes none.
        covered = set(Notice.objects.filter(project_id__in_ids=Ids(item[0] for item in items))
                      .exclude(status=Status.CLOSED).values_list("project_id", flat=True))
        drafts = defaultdict(list)  # campaign → [(project, leader, label, reason)]
        for pid, cid, leader_id, code, name, wanted in items:
            if pid in covered:
                continue
            covered.add(pid)
            label = f"{code} {name}"
            lines = [describe_flag(kind, sev, details, _, labels, as_of=today)
                     for kind, (sev, details) in wanted.items()]
            drafts[cid].append((pid, leader_id, label, warnings_reason(label, lines, _)))

        rows, notices = [], []  # the table's rows; (campaign, project, label, reason, number…)
        for cid, group in drafts.items():
            campaign = campaigns[cid]
            action = (_("Find the causes, take measures to catch up, and report them with "
                        "evidence within %(days)s days.") % {"days": campaign.notice_response_days})
            issued = (None, None, None, Status.DRAFT, None, None)
            if campaign.auto_issue_notices:
                first, _last = _take_numbers(campaign, today.year, len(group))
                respond_by = auto_respond_by(campaign, today)
            for i, (pid, leader_id, label, reason) in enumerate(group):
                if campaign.auto_issue_notices:
                    seq = first + i
                    issued = (today.year, seq, notice_number(campaign, today.year, seq),
                              Status.ISSUED, now, respond_by)
                rows.append((cid, pid, leader_id, reason, action, *issued))
                notices.append((cid, pid, leader_id, label, reason, action, *issued))
        keys = insert_rows(Notice, ["campaign", "project", "issued_to", "reason",
                                    "required_action", "year", "sequence", "number", "status",
                                    "issued_at", "respond_by"], rows,
                           also={"created_at": now, "auto_reason": True})

        flag_ids = defaultdict(list)
        for pk, pid in Flag.objects.filter(project_id__in_ids=Ids(row[1] for row in rows),
                                           resolved_at__isnull=True).values_list("pk", "project_id"):
            flag_ids[pid].append(pk)
        insert_rows(Notice.flags.through, ["notice", "flag"],
                    [(key, f) for key, row in zip(keys, rows, strict=True)
                     for f in flag_ids[row[1]]])
        is_issued = [row[8] == Status.ISSUED for row in rows]
        insert_rows(NoticeEvent, ["notice", "action", "respond_by"],
                    [(key, Action.CREATED, None) for key in keys]
                    + [(key, Action.ISSUED, row[-1])
                       for key, row, yes in zip(keys, rows, is_issued, strict=True) if yes],
                    also={"at": now})

        messages = []
        notice_path = path_maker("notice_detail")
        supervisors = supervisors_by_campaign(campaigns)
        for key, (cid, _pid, leader_id, label, reason, action, _year, _seq, number, status,
                  _at, respond_by) in zip(keys, notices, strict=True):
            url = notice_path(key)
            if status == Status.ISSUED:
                messages.append(notify.Message(
                    leader_id, "notice_issued",
                    _("Supervision notice %(number)s: %(project)s, respond by %(date)s")
                    % {"number": number, "project": label, "date": respond_by},
                    f"{reason}\n{action}", url, f"notice-issued:{key}", cid))
            for uid in supervisors.get(cid, ()):
                messages.append(notify.Message(
                    uid, "notice_drafted",
                    (_("Notice %(number)s issued automatically") % {"number": number})
                    if status == Status.ISSUED
                    else _("Draft notice for %(project)s awaits review") % {"project": label},
                    reason, url, f"notice-drafted:{key}", cid))
        notify.notify_many(messages)
    return len(rows), sum(is_issued)


def _take_numbers(campaign: Campaign, year: int, count: int) -> tuple[int, int]:
    """Reserve count consecutive sequence numbers (first, last) under the counter's row lock.

    Call inside a transaction: the lock is held to commit, so concurrent issuers queue, and a
    rolled-back issue gives its numbers back (no gaps, no duplicates)."""
    NoticeCounter.objects.get_or_create(campaign=campaign, year=year)
    counter = NoticeCounter.objects.select_for_update().get(campaign=campaign, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first, counter.last
