"""Every write of the campaign office's setup: campaigns, people and the town's units, each in a
transaction; campaigns and people kept in the history (django-simple-history records Campaign
and Profile rows)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import pagecache
from core.queue import enqueue_on_commit

from .models import Campaign, Profile, Role, Unit
from .people import clean_phone, name_of

CAMPAIGN_FIELDS = (
    "name", "status", "start_date", "end_date", "declared_project_count", "yellow_lag_points",
    "red_lag_points", "milestone_grace_days", "report_weekday", "report_due_time", "notice_prefix",
    "notice_response_days", "escalate_after_days", "auto_issue_notices", "webhook_url",
    # What the documents that leave the town print: the issuing body (发文机关) and its short
    # name, the main recipients (主送), the contact person and phone (联系人、电话).
    "issuing_body", "issuing_short_name", "recipients", "contact_person", "contact_phone",
)
#: The roles a town's office gives its own people (observers belong to the offices above).
OFFICE_ROLES = (Role.TOWN_ADMIN, Role.LEADER, Role.TEAM_MEMBER, Role.SUPERVISOR)
#: The units a town's office keeps under its town: its villages (communities), its departments
#: (牵头部门, who answer obstacles) and companies (a town's own company as a project owner).
OFFICE_UNIT_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.DEPARTMENT, Unit.Kind.COMPANY)
#: Letters and digits that cannot be mistaken for one another when read out over the phone.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@transaction.atomic
def create_campaign(unit: Unit, user, **fields) -> Campaign:
    """A new campaign of the office's own unit."""
    campaign = Campaign(unit=unit, **{k: fields[k] for k in CAMPAIGN_FIELDS if k in fields})
    campaign.full_clean()
    campaign.save()
    pagecache.bump_everything()  # who sees which campaign changes
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, user, **fields) -> Campaign:
    """Change a campaign's name, dates, thresholds, report day and notice rules."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = [k for k in CAMPAIGN_FIELDS if k in fields]
    for name in changed:
        setattr(locked, name, fields[name])
    locked.full_clean()
    locked.save(update_fields=changed or None)
    campaign_changed(locked)
    return locked


def campaign_changed(campaign: Campaign) -> None:
    """The rules read the campaign's thresholds, dates and report day: every project of it is due
    for review (through the relation: the projects app sits above this one) and is re-scanned
    once this commits (the task by its name: supervision sits above this layer) — the lights
    follow a new threshold within seconds, not at the next hourly scan — and every cached page
    is dropped (the campaign list and every page of the campaign). After any write of a campaign:
    this service's, or an operator's in the admin."""
    campaign.projects.update(review_at=None)
    enqueue_on_commit("supervision.scan_campaigns", [campaign.pk], None, True)
    pagecache.bump_everything()


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _i in range(10))


def _check_person(scope_unit: Unit, unit: Unit | None, roles) -> None:
    if unit is None or unit.pk not in scope_unit.descendant_ids():
        raise ValidationError({"unit": _("Choose a unit of %(town)s or of its villages and "
                                         "departments.") % {"town": scope_unit.name}})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if set(roles) - {r.value for r in OFFICE_ROLES}:
        raise ValidationError({"roles": _("The campaign office cannot give this role.")})


def _phone(text: str) -> str:
    try:
        return clean_phone(text)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


def _set_roles(user, roles) -> None:
    user.groups.set(Group.objects.filter(name__in=list(roles)))


@transaction.atomic
def create_person(scope_unit: Unit, by, *, username: str, full_name: str, unit: Unit,
                  title: str = "", phone: str = "", roles=()) -> tuple:
    """A person of the office's town with their name, unit, job title, phone and roles, and a
    temporary password they must change at the first sign-in. Returns (user, password)."""
    _check_person(scope_unit, unit, roles)
    phone = _phone(phone)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The login name %(name)s is taken.")
                               % {"name": username}})
    password = temporary_password()
    user = User(username=username, is_staff=False, is_superuser=False)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, full_name=full_name, unit=unit, title=title, phone=phone,
                           must_change_password=True)
    _set_roles(user, roles)
    pagecache.bump_everything()  # pickers and names
    return user, password


@transaction.atomic
def update_person(scope_unit: Unit, person, by, *, full_name: str, unit: Unit, title: str = "",
                  phone: str = "", roles=()) -> None:
    """Change a person's name, unit, job title, phone and roles (within the office's town)."""
    _check_person(scope_unit, unit, roles)
    if person.pk == by.pk and Role.TOWN_ADMIN.value not in roles:
        raise ValidationError({"roles": _("You cannot take the campaign office role from "
                                          "yourself.")})
    phone = _phone(phone)
    profile = Profile.objects.select_for_update().get(user=person)
    profile.full_name, profile.unit, profile.title, profile.phone = full_name, unit, title, phone
    profile.save(update_fields=["full_name", "unit", "title", "phone"])
    _set_roles(person, roles)
    pagecache.bump_everything()


@transaction.atomic
def reset_password(person, by) -> str:
    """A new temporary password, to be changed at the next sign-in; returns it (shown once)."""
    password = temporary_password()
    person.set_password(password)
    person.save(update_fields=["password"])
    profile = Profile.objects.select_for_update().get(user=person)
    profile.must_change_password = True
    profile._change_reason = "重置临时密码"  # the profile's history says what happened to the account
    profile.save(update_fields=["must_change_password"])
    return password


def deactivation_refusal(person, by) -> str | None:
    """Why the person cannot be deactivated now, or None. Refused for oneself, and while they
    lead or are on the team of a project not yet completed: the project would keep a leader or
    team member nobody can choose any more (the pickers list active people) and its reports and
    notices would go to someone who cannot sign in. Asked by the confirmation page before it is
    shown, and by deactivate_person."""
    if person.pk == by.pk:
        return _("You cannot deactivate yourself.")
    # Through the relations: the projects app sits above this one.
    led = sorted(person.led_projects.exclude(status="completed").values_list("code", flat=True))
    on_team = sorted(set(person.assignments.exclude(project__status="completed")
                         .values_list("project__code", flat=True)) - set(led))
    if not (led or on_team):
        return None
    parts = []
    if led:
        parts.append(_("leads %(codes)s") % {"codes": "、".join(led)})
    if on_team:
        parts.append(_("is on the team of %(codes)s") % {"codes": "、".join(on_team)})
    return _(
        "%(name)s still %(where)s: choose another leader or team member in those projects' "
        "setup first, then deactivate the account.") % {
            "name": name_of(person), "where": _("; ").join(parts)}


def _set_active(person, active: bool, reason: str) -> bool:
    """Claim the change with a conditional UPDATE (two clicks change it once); True when this
    call changed it. The profile's history records it with who did it."""
    User = get_user_model()
    if not User.objects.filter(pk=person.pk, is_active=not active).update(is_active=active):
        return False
    person.is_active = active
    profile = Profile.objects.filter(user=person).first()
    if profile is not None:  # the account's change on the profile's history, with who did it
        profile._change_reason = reason
        profile.save()
    pagecache.bump_everything()  # pickers, names and the person's own state
    return True


@transaction.atomic
def deactivate_person(person, by) -> bool:
    """The person can no longer sign in; what they did stays on record. Refused as
    deactivation_refusal says. True when the account was active until now."""
    refusal = deactivation_refusal(person, by)
    if refusal is not None:
        raise ValidationError(refusal)
    return _set_active(person, False, "停用账号")


@transaction.atomic
def reactivate_person(person, by) -> bool:
    """A deactivated person can sign in again with the password they had (the office resets it
    if they forgot it), and is offered in the pickers again; recorded as deactivation is. True
    when the account was deactivated until now."""
    return _set_active(person, True, "启用账号")


@transaction.atomic
def password_changed(user) -> None:
    """The person chose their own password: no more sending them to change it."""
    profile = Profile.objects.select_for_update().filter(user=user, must_change_password=True).first()
    if profile is not None:
        profile.must_change_password = False
        profile.save(update_fields=["must_change_password"])  # through save: kept in the history


# --- Units -------------------------------------------------------------------------------------


def _check_unit(town: Unit, name: str, kind: str, unit: Unit | None = None) -> str:
    """The name as it will be stored, or a ValidationError beside the field. A name is unique
    among the town and every unit below it, as the person form and the Excel import find a unit
    by its name in that scope (the database's unit_name_unique_in_parent holds it for the units
    directly under the town, where the office puts them)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the unit's name.")})
    if kind not in {k.value for k in OFFICE_UNIT_KINDS}:
        raise ValidationError({"kind": _("Choose a village (community), a department or a "
                                         "company.")})
    same = Unit.objects.filter(pk__in=town.descendant_ids(), name=name)
    if unit is not None:
        same = same.exclude(pk=unit.pk)
    if same.exists():
        raise ValidationError({"name": _("%(town)s already has a unit called %(name)s.")
                               % {"town": town.name, "name": name}})
    return name


def _lock_town(town: Unit) -> None:
    """One add, rename or deletion of a town's units at a time: the name check of the next one
    sees what this one stored. (NO KEY: people and projects may still be put in the town.)"""
    Unit.objects.select_for_update(no_key=True).filter(pk=town.pk).first()


@transaction.atomic
def create_unit(town: Unit, by, *, name: str, kind: str) -> Unit:
    """A village (community), department or company directly under the office's town, offered
    at once in the person form, the team and obstacle pickers and the Excel import."""
    _lock_town(town)
    unit = Unit.objects.create(name=_check_unit(town, name, kind), kind=kind, parent=town)
    pagecache.bump_everything()  # pickers, and unit scopes (campaign.access.unit_scope)
    return unit


@transaction.atomic
def update_unit(town: Unit, unit: Unit, by, *, name: str, kind: str) -> Unit:
    """Rename a unit of the office's town (or change its kind); every page shows the new name."""
    _lock_town(town)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    locked.name, locked.kind = _check_unit(town, name, kind, locked), kind
    locked.save(update_fields=["name", "kind"])
    pagecache.bump_everything()  # unit names show on many pages
    return locked


#: What refers to a unit, said by the relation (the rest by the model's own name).
_UNIT_USES = {
    "children": gettext_lazy("units under it"),
    "profiles": gettext_lazy("people"),
    "listed_projects": gettext_lazy("projects listed by it"),
    "assignments": gettext_lazy("places on project teams"),
    "obstacles": gettext_lazy("obstacles it answers"),
}


def unit_uses(unit: Unit) -> list[str]:
    """What refers to the unit, as "people (3)", "the change history": every relation to Unit,
    found from the models (the projects app, above this one, included), one count each. A unit
    that appears in the change history (a person once of it) is in use too: the history would
    name a unit that no longer exists."""
    uses, in_history = [], False
    for rel in Unit._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        count = rel.related_model._base_manager.filter(**{rel.field.name: unit.pk}).count()
        if not count:
            continue
        if hasattr(rel.related_model, "instance_type"):  # a django-simple-history model
            in_history = True
            continue
        what = _UNIT_USES.get(rel.related_name) or rel.related_model._meta.verbose_name_plural
        uses.append(_("%(what)s (%(count)s)") % {"what": what, "count": count})
    if in_history:
        uses.append(_("the change history"))
    return uses


def unit_deletion_refusal(unit: Unit) -> str | None:
    """Why the unit cannot be deleted, or None. Only a unit nothing refers to, now or in the
    history, is deleted (one added by mistake); a unit in use is renamed instead. Asked by the
    confirmation page before it is shown, and by delete_unit."""
    uses = unit_uses(unit)
    if not uses:
        return None
    return _("%(name)s cannot be deleted: it is used by %(uses)s. Rename it instead.") % {
        "name": unit.name, "uses": "、".join(uses)}


@transaction.atomic
def delete_unit(town: Unit, unit: Unit, by) -> bool:
    """Delete a unit of the office's town that nothing refers to (unit_deletion_refusal says
    why not otherwise). True when this call deleted it (two clicks delete it once)."""
    _lock_town(town)
    locked = Unit.objects.select_for_update().filter(pk=unit.pk).first()
    if locked is None:
        return False
    refusal = unit_deletion_refusal(locked)
    if refusal is not None:
        raise ValidationError(refusal)
    locked.delete()
    pagecache.bump_everything()
    return True
