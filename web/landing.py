"""Where a signed-in user starts: 待办 for the people who do the projects' work, the dashboard
for the officials who watch it."""

from campaign import access
from campaign.models import Role

#: Roles whose landing is the dashboard even when they also lead or work on a project.
OFFICIAL_ROLES = (Role.TOWN_ADMIN, Role.SUPERVISOR, Role.OBSERVER)


def works_on_projects(user) -> bool:
    """A leader or team member: the menu offers them 待办."""
    return access.has_role(user, Role.TEAM_MEMBER, Role.LEADER)


def lands_on_todo(user) -> bool:
    """A team member or leader without an official's role starts the day on 待办."""
    return works_on_projects(user) and not access.has_role(user, *OFFICIAL_ROLES)


def is_higher_office(user) -> bool:
    """Only an observer (上级督查): reads; leads no project and chairs no meeting, so the menu
    offers neither 我的项目 nor 专题会."""
    return (access.has_role(user, Role.OBSERVER)
            and not access.has_role(user, Role.TOWN_ADMIN, Role.SUPERVISOR, Role.LEADER,
                                    Role.TEAM_MEMBER))
