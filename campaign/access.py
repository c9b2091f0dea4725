"""Who may see and write what. One place, called by every view and queryset.

- Everyone works inside the campaigns of their own town: a campaign is visible when its unit is
  the user's unit, above it (a village cadre sees the town's campaign) or below it (an observer of
  the city sees every town's campaign). A user of another town sees nothing of ours.
- Writing is narrower than reading: a campaign is written to (changed, its notices issued, its
  bulletins filed, its projects set up) only by people of its own town — their unit is the
  campaign's unit, or a village or department inside it (`may_write_campaign`). A town office
  does not write to the county's campaign it can read, and a county or city office (observer)
  reads the towns below it and writes nothing.
- Writing to a project is decided in projects.access (its leader and team, or the town's office).
- Observers only read. Supervisors and town_admin run the supervision work.

A refused read is a 404 (the object's existence is not revealed); a refused write a 403.
Both are logged.
"""

import hashlib
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from core import pagecache

from .models import Campaign, Role, Unit

log = logging.getLogger("gongjian.access")


def roles_of(user) -> set[str]:
    """The role code names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_gongjian_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.TOWN_ADMIN.value)
        user._gongjian_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


def is_town_admin(user) -> bool:
    return has_role(user, Role.TOWN_ADMIN)


def is_supervisor(user) -> bool:
    """The supervision group's powers: supervisors and the campaign office."""
    return has_role(user, Role.SUPERVISOR, Role.TOWN_ADMIN)


def visible_unit_ids(user) -> set[int] | None:
    """Units whose campaigns the user may read; None means every unit (superuser)."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_gongjian_units", None)
    if cached is not None:
        return cached
    profile = getattr(user, "profile", None)
    ids: set[int] = set()
    if profile is not None and profile.unit_id:
        ids = unit_scope(profile.unit_id)
    user._gongjian_units = ids
    return ids


def unit_scope(unit_id: int) -> set[int]:
    """A unit, the units below it and the units above it: whose campaigns its people read.
    Shared through the cache until any unit or profile changes (a few queries otherwise)."""
    def compute():
        unit = Unit.objects.get(pk=unit_id)
        return unit.descendant_ids() | {u.pk for u in unit.ancestors()}

    return set(pagecache.global_cached("unit_scope", compute, unit_id))


#: Kinds of unit that hold campaigns of their own: a person of one of these writes to its
#: campaigns only; a person of a village, department or company writes to the town's above.
CAMPAIGN_HOLDERS = {Unit.Kind.TOWN, Unit.Kind.COUNTY, Unit.Kind.CITY, Unit.Kind.PROVINCE}


def home_unit_ids(user) -> set[int] | None:
    """Units whose campaigns the user may write to; None means every unit (superuser).

    Their own unit and, for a village, department or company, the units above it up to the
    first one that holds campaigns (the town). Never the county above a town."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_gongjian_home_units", None)
    if cached is not None:
        return cached
    profile = getattr(user, "profile", None)
    ids: set[int] = set()
    if profile is not None and profile.unit_id:
        ids = home_scope(profile.unit_id)
    user._gongjian_home_units = ids
    return ids


def home_scope(unit_id: int) -> set[int]:
    """A unit and the units above it up to the first that holds campaigns (see home_unit_ids)."""
    def compute():
        unit = Unit.objects.get(pk=unit_id)
        ids = {unit.pk}
        if unit.kind not in CAMPAIGN_HOLDERS:
            for above in unit.ancestors():
                ids.add(above.pk)
                if above.kind in CAMPAIGN_HOLDERS:
                    break
        return ids

    return set(pagecache.global_cached("home_scope", compute, unit_id))


def may_write_campaign(user, campaign) -> bool:
    """The campaign is of the user's own town (see home_unit_ids) and the user is not only an
    observer. What they may write there is their role's business (may_supervise, may_administer,
    the project's own rule)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if roles_of(user) == {Role.OBSERVER.value}:
        return False
    profile = getattr(user, "profile", None)
    if profile is not None and profile.unit_id and profile.unit_id == campaign.unit_id:
        return True  # the common case, without reading the tree
    ids = home_unit_ids(user)
    return ids is None or campaign.unit_id in ids


def may_supervise(user, campaign) -> bool:
    """The supervision group's powers (notices, spot checks, criticism, highlights, bulletins)
    over this campaign: a supervisor or the office, of the campaign's own town."""
    return is_supervisor(user) and may_write_campaign(user, campaign)


def may_administer(user, campaign) -> bool:
    """The campaign office's powers over this campaign: town_admin of the campaign's own town."""
    return is_town_admin(user) and may_write_campaign(user, campaign)


def writable_campaigns(user):
    """Campaigns the user may write to (see may_write_campaign)."""
    if not user.is_authenticated or roles_of(user) == {Role.OBSERVER.value}:
        return Campaign.objects.none()
    ids = home_unit_ids(user)
    qs = Campaign.objects.all()
    return qs if ids is None else qs.filter(unit_id__in=ids)


def get_campaign_for_write(user, campaign):
    """The campaign, or PermissionDenied (logged) when the user may not write to it."""
    if not may_write_campaign(user, campaign):
        log.warning("refused write user=%s campaign=%s", user.pk, campaign.pk)
        raise PermissionDenied
    return campaign


def setup_unit(user) -> Unit | None:
    """The town (or county) whose campaigns and people the user sets up: a campaign office's own
    unit, when it holds campaigns; None for everyone else."""
    if not is_town_admin(user):
        return None
    profile = getattr(user, "profile", None)
    if profile is None or not profile.unit_id or profile.unit.kind not in CAMPAIGN_HOLDERS:
        return None
    return profile.unit


def setup_units(town: Unit):
    """The units a town's office keeps: every unit below its town (villages, communities,
    departments, companies), never the town itself, nor a unit of another town or above."""
    return Unit.objects.filter(pk__in=town.descendant_ids() - {town.pk})


def get_unit_for_setup(user, pk) -> Unit:
    """A unit of the office's own town (see setup_units): 403 for anyone but a campaign office,
    404 for any other unit (another town's, its own town, the county above)."""
    town = setup_unit(user)
    if town is None:
        log.warning("refused setup user=%s unit=%s", user.pk, pk)
        raise PermissionDenied
    unit = setup_units(town).filter(pk=pk).first()
    if unit is None:
        log.warning("refused read user=%s unit=%s", user.pk, pk)
        raise Http404
    return unit


def get_campaign_for_setup(user, pk) -> Campaign:
    """A campaign the office sets up: 404 when the user may not see it, 403 when it is not of
    the office's own unit (the county's campaign a town reads, or no office at all)."""
    campaign = visible_campaigns(user).select_related("unit").filter(pk=pk).first()
    if campaign is None:
        log.warning("refused read user=%s campaign=%s", user.pk, pk)
        raise Http404
    unit = setup_unit(user)
    if unit is None or campaign.unit_id != unit.pk:
        log.warning("refused write user=%s campaign=%s", user.pk, pk)
        raise PermissionDenied
    return campaign


def visible_campaigns(user):
    if not user.is_authenticated:
        return Campaign.objects.none()
    ids = visible_unit_ids(user)
    qs = Campaign.objects.all()
    return qs if ids is None else qs.filter(unit_id__in=ids)


def visible_campaign_list(user) -> list[Campaign]:
    """visible_campaigns with their units, latest first. Shared through the cache by everyone
    with the same unit scope until a campaign, a unit or a profile changes (each bumps the
    global generation); one query otherwise. With the shared cache the list is read with the
    signed-in user's own cache entry (web.auth.viewer_state), no round trip of its own."""
    if not user.is_authenticated:
        return []
    read_with_user = getattr(user, "_gongjian_campaigns", None)  # web.auth.UserBackend
    if read_with_user is not None:
        return read_with_user
    ids = visible_unit_ids(user)
    scope = "all" if ids is None else hashlib.sha256(
        ",".join(map(str, sorted(ids))).encode()).hexdigest()[:32]
    return pagecache.global_cached("campaigns", lambda: list(
        visible_campaigns(user).select_related("unit").order_by("-start_date", "pk")), scope)


def pick_campaign(request, *, required: bool = False) -> tuple[Campaign | None, list[Campaign]]:
    """The campaign a request is about, and the campaigns the user may see (for a switch).

    The one named by ?campaign= (or a form's campaign field) — a 404, logged, when the user may
    not see it — else the newest active one of the user's own town, else the newest active one
    they may read (a county office's), else the newest; None when there is none (a 404 when
    required). One query, none with the shared cache."""
    campaigns = visible_campaign_list(request.user)
    wanted = request.GET.get("campaign") or request.POST.get("campaign")
    if wanted:
        for campaign in campaigns:
            if str(campaign.pk) == wanted:
                return campaign, campaigns
        log.warning("refused read user=%s campaign=%s", request.user.pk, wanted)
        raise Http404
    active = [c for c in campaigns if c.status == Campaign.Status.ACTIVE]
    own = active
    if len({c.unit_id for c in active}) > 1:  # only then is there a choice to make (no query else)
        home = home_unit_ids(request.user)
        own = [c for c in active if home is None or c.unit_id in home]
    chosen = (own or active or campaigns or [None])[0]
    if chosen is None and required:
        raise Http404
    return chosen, campaigns


def may_read_campaign(user, campaign) -> bool:
    """The rule of visible_campaigns for one campaign already read (no query)."""
    if not user.is_authenticated:
        return False
    ids = visible_unit_ids(user)
    return ids is None or campaign.unit_id in ids


def _supervisors(unit_ids):
    """Active users of the supervision group of these units: a campaign is supervised by the
    group of its own unit (the town) and of the units directly in it."""
    return get_user_model().objects.filter(
        Q(profile__unit_id__in=unit_ids) | Q(profile__unit__parent_id__in=unit_ids),
        is_active=True, groups__name=Role.SUPERVISOR.value)


def supervisors_of(campaign):
    """The users who supervise this campaign (see _supervisors)."""
    return _supervisors([campaign.unit_id]).distinct()


def supervisors_by_campaign(campaigns: dict) -> dict[int, list[int]]:
    """{campaign id: ids of the users who supervise it} for {id: Campaign}, in one query."""
    units = defaultdict(list)
    for campaign in campaigns.values():
        units[campaign.unit_id].append(campaign.pk)
    out = defaultdict(list)
    rows = _supervisors(list(units)).values_list(
        "pk", "profile__unit_id", "profile__unit__parent_id").distinct()
    for uid, unit_id, parent_id in rows:
        for cid in units.get(unit_id, []) + units.get(parent_id, []):
            if uid not in out[cid]:
                out[cid].append(uid)
    return out
