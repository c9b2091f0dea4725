"""Every view × every role, from one table.

Each named URL of the site (the admin aside, which Django guards itself) has a row: the method
it is tried with and the status each kind of user gets — anonymous, the five roles of our town
(the leader and team member are those of the project the object belongs to), and a town_admin of
another town. A new view without a row fails `test_every_view_has_a_row`.

Reading the codes: 200 shown; 302 a redirect (anonymous → login; an action done → back to a
page); 403 refused with a reason; 404 not revealed (another town's objects, drafts); 405 the
method is not allowed (an action only answers POST).

Run with ACCESS_MATRIX_PROBE=1 to print the statuses the site gives now, as rows to paste.
"""

import os

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign.models import Unit
from tests.security.world import build_world

ROLES = ("anonymous", "town_admin", "leader", "team_member", "supervisor", "observer", "other_town")

# name: (method, url kwargs from the world's ids, "statuses in the order of ROLES")
MATRIX = {
    # operations and authentication
    "healthz": ("get", {}, "200 200 200 200 200 200 200"),
    "robots_txt": ("get", {}, "200 200 200 200 200 200 200"),
    "set_language": ("post", {}, "302 302 302 302 302 302 302"),
    "login": ("get", {}, "200 200 200 200 200 200 200"),
    "logout": ("post", {}, "302 302 302 302 302 302 302"),
    "password_change": ("get", {}, "302 200 200 200 200 200 200"),
    "password_change_done": ("get", {}, "302 200 200 200 200 200 200"),
    "password_reset": ("get", {}, "200 200 200 200 200 200 200"),
    "password_reset_done": ("get", {}, "200 200 200 200 200 200 200"),
    "password_reset_confirm": ("get", {"uidb64": "MQ", "token": "x-y"},
                               "200 200 200 200 200 200 200"),
    "password_reset_complete": ("get", {}, "200 200 200 200 200 200 200"),
    # the officials' and leaders' web
    # "/": team members and leaders are sent on to 待办, everyone else sees the dashboard.
    "home": ("get", {}, "302 200 302 302 200 200 200"),
    "todo": ("get", {}, "302 200 200 200 200 200 200"),
    "dashboard": ("get", {}, "302 200 200 200 200 200 200"),
    "dashboard_wall": ("get", {}, "302 200 200 200 200 200 200"),
    # Wall links: the campaign office of the campaign's own town (the other town's office manages
    # its own campaign's); the link's token opens the wall for anyone, signed in or not.
    "wall_links": ("get", {}, "302 200 403 403 403 403 200"),
    "wall_link_revoke": ("post", {"pk": "wall_link"}, "302 302 403 403 403 403 404"),
    "wall_by_link": ("get", {"token": "wall_token"}, "200 200 200 200 200 200 200"),
    "dashboard_export": ("get", {}, "302 200 200 200 200 200 200"),
    # The ranking of leaders and units: every reader of a campaign (the other town its own).
    "ranking": ("get", {}, "302 200 200 200 200 200 200"),
    "ranking_export": ("get", {}, "302 200 200 200 200 200 200"),
    "my_projects": ("get", {}, "302 200 200 200 200 200 200"),
    "project_detail": ("get", {"pk": "project"}, "302 200 200 200 200 200 404"),
    "project_reports": ("get", {"pk": "project"}, "302 200 200 200 200 200 404"),
    "project_changes": ("get", {"pk": "project"}, "302 200 200 200 200 200 404"),
    "report_create": ("get", {"pk": "project"}, "302 200 200 200 403 403 404"),
    "project_replan": ("get", {"pk": "project"}, "302 200 403 403 403 403 404"),
    "report_photo": ("get", {"pk": "photo"}, "302 200 200 200 200 200 404"),
    "report_photo_thumb": ("get", {"pk": "photo"}, "302 200 200 200 200 200 404"),
    "report_photo_original": ("get", {"pk": "photo"}, "302 200 200 200 200 200 404"),
    # Every photo that proves the work: to the readers of what it belongs to, as on its page.
    "obstacle_photo": ("get", {"pk": "obstacle_photo"}, "302 200 200 200 200 200 404"),
    "obstacle_photo_thumb": ("get", {"pk": "obstacle_photo"}, "302 200 200 200 200 200 404"),
    "obstacle_photo_original": ("get", {"pk": "obstacle_photo"}, "302 200 200 200 200 200 404"),
    "hazard_photo": ("get", {"pk": "hazard_photo"}, "302 200 200 200 200 200 404"),
    "hazard_photo_thumb": ("get", {"pk": "hazard_photo"}, "302 200 200 200 200 200 404"),
    "hazard_photo_original": ("get", {"pk": "hazard_photo"}, "302 200 200 200 200 200 404"),
    "obstacle_create": ("get", {"pk": "project"}, "302 200 200 200 403 403 404"),
    "obstacle_update": ("get", {"pk": "obstacle"}, "302 200 200 200 403 403 404"),
    "obstacle_resolve": ("get", {"pk": "obstacle"}, "302 200 200 200 403 403 404"),
    "hazard_create": ("get", {"pk": "project"}, "302 200 200 200 403 403 404"),
    "hazard_update": ("get", {"pk": "hazard"}, "302 200 200 200 403 403 404"),
    "hazard_rectify": ("get", {"pk": "hazard"}, "302 200 200 200 403 403 404"),
    # 复核 of a major hazard: the supervision group of the town only; its readers see the
    # reviews (and their photos) on the project page.
    "hazard_review": ("get", {"pk": "awaiting_hazard"}, "302 200 403 403 200 403 404"),
    "hazard_review_photo": ("get", {"pk": "hazard_review"}, "302 200 200 200 200 200 404"),
    "hazard_review_photo_thumb": ("get", {"pk": "hazard_review"}, "302 200 200 200 200 200 404"),
    "hazard_review_photo_original": ("get", {"pk": "hazard_review"}, "302 200 200 200 200 200 404"),
    "meeting_list": ("get", {}, "302 200 200 200 200 200 200"),
    "meeting_create": ("get", {}, "302 200 200 403 403 403 200"),
    "meeting_detail": ("get", {"pk": "meeting"}, "302 200 200 200 200 200 404"),
    "meeting_update": ("get", {"pk": "meeting"}, "302 200 200 403 403 403 404"),
    "action_item_create": ("get", {"pk": "meeting"}, "302 200 200 403 403 403 404"),
    "action_item_update": ("get", {"pk": "item"}, "302 200 200 403 403 403 404"),
    "action_item_complete": ("get", {"pk": "item"}, "302 200 200 403 403 403 404"),
    # notifications
    "notifications:list": ("get", {}, "302 200 200 200 200 200 200"),
    "notifications:read": ("post", {"pk": "notification"}, "302 404 302 404 404 404 404"),
    "notifications:read_all": ("post", {}, "302 302 302 302 302 302 302"),
    # the supervision workbench
    "supervision_overview": ("get", {}, "302 200 403 403 200 200 200"),
    "supervision_bulk_issue": ("post", {}, "302 400 403 403 400 403 400"),
    "notice_list": ("get", {}, "302 200 200 200 200 200 200"),
    "notice_new": ("get", {}, "302 200 403 403 200 403 200"),
    "notice_detail": ("get", {"pk": "notice"}, "302 200 200 200 200 200 404"),
    "notice_print": ("get", {"pk": "notice"}, "302 200 200 200 200 200 404"),
    "notice_edit": ("get", {"pk": "draft_notice"}, "302 200 403 403 200 403 404"),
    "notice_step": ("post", {"pk": "notice", "step": "close"}, "302 302 403 403 302 403 404"),
    "evidence_file": ("get", {"pk": "evidence"}, "302 200 200 200 200 200 404"),
    "response_photo": ("get", {"pk": "response_photo"}, "302 200 200 200 200 200 404"),
    "response_photo_thumb": ("get", {"pk": "response_photo"}, "302 200 200 200 200 200 404"),
    "response_photo_original": ("get", {"pk": "response_photo"}, "302 200 200 200 200 200 404"),
    # The higher office reads the spot checks (their buttons are the town's group's alone).
    "spotcheck_list": ("get", {}, "302 200 403 403 200 200 200"),
    "spotcheck_new": ("get", {"kind": "random"}, "302 200 403 403 200 403 200"),
    "spotcheck_detail": ("get", {"pk": "spot_check"}, "302 200 403 403 200 200 404"),
    # A finding's photo: the supervision group (as its spot check's page), or the readers of the
    # notice made from it (this finding has none); a 404 to anyone else.
    "finding_photo": ("get", {"pk": "finding_photo"}, "302 200 404 404 200 404 404"),
    "finding_photo_thumb": ("get", {"pk": "finding_photo"}, "302 200 404 404 200 404 404"),
    "finding_photo_original": ("get", {"pk": "finding_photo"}, "302 200 404 404 200 404 404"),
    "finding_add": ("post", {"pk": "spot_check"}, "302 400 403 403 400 403 404"),
    "finding_notice": ("post", {"pk": "spot_check", "finding_pk": "finding"}, "302 400 403 403 400 403 404"),
    "finding_rectified": ("post", {"pk": "spot_check", "finding_pk": "finding"},
                          "302 302 403 403 302 403 404"),
    "spotcheck_done": ("post", {"pk": "spot_check"}, "302 302 403 403 302 403 404"),
    "criticism_list": ("get", {}, "302 200 403 403 200 200 200"),
    "criticism_new": ("get", {}, "302 200 403 403 200 403 200"),
    "criticism_confirm": ("post", {"pk": "criticism"}, "302 302 403 403 302 403 404"),
    "criticism_withdraw": ("post", {"pk": "criticism"}, "302 302 403 403 302 403 404"),
    "highlight_list": ("get", {}, "302 200 200 200 200 200 200"),
    "highlight_new": ("get", {}, "302 200 403 403 200 403 200"),
    "highlight_photo": ("get", {"pk": "highlight"}, "302 200 200 200 200 200 404"),
    "bulletin_list": ("get", {}, "302 200 200 200 200 200 200"),
    "bulletin_generate": ("post", {}, "302 400 403 403 400 403 400"),
    "bulletin_detail": ("get", {"pk": "bulletin"}, "302 200 404 404 200 404 404"),
    "bulletin_print": ("get", {"pk": "bulletin"}, "302 200 404 404 200 404 404"),
    "bulletin_xlsx": ("get", {"pk": "bulletin"}, "302 200 404 404 200 404 404"),
    "bulletin_docx": ("get", {"pk": "bulletin"}, "302 200 404 404 200 404 404"),
    "bulletin_regenerate": ("post", {"pk": "bulletin"}, "302 302 403 403 302 403 404"),
    "bulletin_publish": ("post", {"pk": "bulletin"}, "302 302 403 403 302 403 404"),
    # the campaign office's setup (the other town's office sets up its own town only)
    "setup_home": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_campaign_new": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_campaign_edit": ("get", {"pk": "campaign"}, "302 200 403 403 403 403 404"),
    "setup_people": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_person_new": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_person_edit": ("get", {"pk": "leader_user"}, "302 200 403 403 403 403 404"),
    "setup_person_reset_password": ("post", {"pk": "leader_user"}, "302 302 403 403 403 403 404"),
    "setup_person_deactivate": ("post", {"pk": "leader_user"}, "302 302 403 403 403 403 404"),
    "setup_person_reactivate": ("post", {"pk": "leader_user"}, "302 302 403 403 403 403 404"),
    "setup_person_password": ("get", {"pk": "leader_user"}, "302 200 403 403 403 403 404"),
    # The town's units: its office only; another town's office does not see ours (its own list
    # and new-unit form are its town's).
    "setup_units": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_unit_new": ("get", {}, "302 200 403 403 403 403 200"),
    "setup_unit_edit": ("get", {"pk": "village"}, "302 200 403 403 403 403 404"),
    "setup_unit_delete": ("post", {"pk": "village"}, "302 302 403 403 403 403 404"),
    "setup_projects": ("get", {"pk": "campaign"}, "302 200 403 403 403 403 404"),
    "setup_project_new": ("get", {"pk": "campaign"}, "302 200 403 403 403 403 404"),
    "setup_project_edit": ("get", {"pk": "project"}, "302 200 403 403 403 403 404"),
    "setup_project_suspend": ("get", {"pk": "project"}, "302 200 403 403 403 403 404"),
    "setup_project_resume": ("post", {"pk": "project"}, "302 302 403 403 403 403 404"),
    "setup_project_complete": ("post", {"pk": "project"}, "302 302 403 403 403 403 404"),
    "setup_import": ("get", {"pk": "campaign"}, "302 200 403 403 403 403 404"),
    "setup_import_template": ("get", {"pk": "campaign"}, "302 200 403 403 403 403 404"),
    "setup_import_confirm": ("post", {"pk": "campaign"}, "302 302 403 403 403 403 404"),
}

# Writing to the county's campaign above our town: every role of our town (and of the other town)
# can read it and none may write to it; the county's observer writes nothing either. A draft is
# not revealed (404) to those who do not see drafts. name: (method, url kwargs, ?campaign= or
# None, statuses in the order of ROLES).
ACROSS = [
    ("report_create", "get", {"pk": "county_project"}, None, "302 403 403 403 403 403 403"),
    ("obstacle_create", "get", {"pk": "county_project"}, None, "302 403 403 403 403 403 403"),
    ("hazard_create", "get", {"pk": "county_project"}, None, "302 403 403 403 403 403 403"),
    ("meeting_create", "get", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("meeting_update", "get", {"pk": "county_meeting"}, None, "302 403 403 403 403 403 403"),
    ("action_item_create", "get", {"pk": "county_meeting"}, None, "302 403 403 403 403 403 403"),
    ("notice_new", "get", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("notice_step", "post", {"pk": "county_draft_notice", "step": "issue"}, None,
     "302 403 404 404 403 404 403"),
    ("notice_edit", "get", {"pk": "county_draft_notice"}, None, "302 403 403 403 403 403 403"),
    ("supervision_bulk_issue", "post", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("spotcheck_new", "get", {"kind": "random"}, "county_campaign", "302 403 403 403 403 403 403"),
    ("finding_add", "post", {"pk": "county_spot_check"}, None, "302 403 403 403 403 403 403"),
    ("spotcheck_done", "post", {"pk": "county_spot_check"}, None, "302 403 403 403 403 403 403"),
    ("finding_rectified", "post", {"pk": "county_spot_check", "finding_pk": "county_finding"}, None,
     "302 403 403 403 403 403 403"),
    ("hazard_review", "get", {"pk": "county_hazard"}, None, "302 403 403 403 403 403 403"),
    ("hazard_review", "post", {"pk": "county_hazard"}, None, "302 403 403 403 403 403 403"),
    ("criticism_new", "get", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("criticism_confirm", "post", {"pk": "county_criticism"}, None, "302 403 403 403 403 403 403"),
    ("criticism_withdraw", "post", {"pk": "county_criticism"}, None, "302 403 403 403 403 403 403"),
    ("highlight_new", "get", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("bulletin_generate", "post", {}, "county_campaign", "302 403 403 403 403 403 403"),
    ("bulletin_regenerate", "post", {"pk": "county_bulletin"}, None, "302 403 403 403 403 403 403"),
    ("bulletin_publish", "post", {"pk": "county_bulletin"}, None, "302 403 403 403 403 403 403"),
    ("setup_campaign_edit", "get", {"pk": "county_campaign"}, None, "302 403 403 403 403 403 403"),
    ("setup_projects", "get", {"pk": "county_campaign"}, None, "302 403 403 403 403 403 403"),
    ("setup_project_new", "get", {"pk": "county_campaign"}, None, "302 403 403 403 403 403 403"),
    ("setup_project_edit", "get", {"pk": "county_project"}, None, "302 403 403 403 403 403 403"),
    ("setup_project_complete", "post", {"pk": "county_project"}, None,
     "302 403 403 403 403 403 403"),
    ("setup_import", "get", {"pk": "county_campaign"}, None, "302 403 403 403 403 403 403"),
    ("setup_import_template", "get", {"pk": "county_campaign"}, None,
     "302 403 403 403 403 403 403"),
    ("setup_import_confirm", "post", {"pk": "county_campaign"}, None,
     "302 403 403 403 403 403 403"),
    ("setup_person_edit", "get", {"pk": "county_leader"}, None, "302 404 403 403 403 403 404"),
    # Nor the units above: the town itself and the county are the operator's.
    ("setup_unit_edit", "get", {"pk": "town"}, None, "302 404 403 403 403 403 404"),
    ("setup_unit_edit", "post", {"pk": "county"}, None, "302 404 403 403 403 403 404"),
    ("setup_unit_delete", "post", {"pk": "town"}, None, "302 404 403 403 403 403 404"),
]

EXEMPT_NAMESPACES = {"admin"}


def named_urls():
    """(name, pattern) of every named URL outside the exempt namespaces."""
    found = []

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in EXEMPT_NAMESPACES:
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                found.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return found


def url_for(name, kwargs, ids):
    resolved = {k: (ids[v] if isinstance(v, str) and v in ids else v) for k, v in kwargs.items()}
    return reverse(name, kwargs=resolved)


def status_of(client, world, name, role):
    method, kwargs, _expected = MATRIX[name]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url_for(name, kwargs, world.ids)).status_code


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each case
    runs in a savepoint of its own, so an action one case takes is undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield with_units(build_world())
        transaction.set_rollback(True)


def with_units(world):
    """The world and a village of our town, nothing in it (设置 › 单位 edits and deletes it)."""
    town = world.users["town_admin"].profile.unit
    village = Unit.objects.create(name="湖南村", kind=Unit.Kind.VILLAGE, parent=town)
    world.ids.update(village=village.pk, town=town.pk, county=town.parent_id)
    return world


def test_every_view_has_a_row():
    missing = sorted(set(named_urls()) - set(MATRIX))
    assert not missing, f"views without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(named_urls()))
    assert not stale, f"rows for views that no longer exist: {stale}"


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.django_db  # each case in a savepoint of the world's transaction, rolled back after
@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(world, client, name, role):
    expected = int(MATRIX[name][2].split()[ROLES.index(role)])
    assert status_of(client, world, name, role) == expected


ACROSS_CASES = [(row, role) for row in ACROSS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), ACROSS_CASES,
                         ids=[f"{r[0]}-{r[2].get('pk', r[3])}-{role}" for r, role in ACROSS_CASES])
def test_no_write_crosses_into_the_county_campaign(world, client, row, role):
    name, method, kwargs, campaign, expected = row
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = url_for(name, kwargs, world.ids)
    if campaign is not None:
        url += f"?campaign={world.ids[campaign]}"
    status = getattr(client, method)(url).status_code
    assert status == int(expected.split()[ROLES.index(role)])


@pytest.mark.skipif(not os.environ.get("ACCESS_MATRIX_PROBE"), reason="prints the table")
@pytest.mark.django_db
def test_probe(world, client, django_db_blocker):
    print()
    for name in sorted(named_urls()):
        if name not in MATRIX:
            print(f"    {name!r}: no row")
            continue
        codes = []
        for role in ROLES:
            with django_db_blocker.unblock(), transaction.atomic():
                codes.append(str(status_of(client.__class__(), world, name, role)))
                transaction.set_rollback(True)
        method, kwargs, _ = MATRIX[name]
        print(f'    "{name}": ("{method}", {kwargs!r}, "{" ".join(codes)}"),')
