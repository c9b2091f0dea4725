"""One small world for the access matrix: our town with a project and one of everything on it,
a person of each role, and a user of another town."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaign.models import Role, Unit
from projects.models import ActionItem, Hazard, Highlight, Meeting, SafetyCheck
from projects.services import record_hazard, record_obstacle, submit_report
from supervision import notices
from supervision.bulletins import generate_bulletin
from supervision.criticism import draft_criticism
from supervision.hazards import review_hazard
from supervision.models import Evidence, Finding, Notification, SpotCheck
from supervision.spotchecks import record_finding
from tests import factories
from web.services import create_wall_link


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    users: dict[str, User | None]
    ids: dict[str, int]


def placed(username: str, role: Role, unit: Unit) -> User:
    user = factories.UserFactory(username=username, roles=[role])
    user.profile.unit = unit
    user.profile.save(update_fields=["unit"])
    return user


def build_world() -> World:
    city = Unit.objects.create(name="福州市", kind=Unit.Kind.CITY)
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY, parent=city)
    town = Unit.objects.create(name="湖南镇", kind=Unit.Kind.TOWN, parent=county)
    other_town = Unit.objects.create(name="潭头镇", kind=Unit.Kind.TOWN, parent=county)
    users = {
        "anonymous": None,
        "town_admin": placed("m_admin", Role.TOWN_ADMIN, town),
        "leader": placed("m_leader", Role.LEADER, town),
        "team_member": placed("m_cadre", Role.TEAM_MEMBER, town),
        "supervisor": placed("m_dcz", Role.SUPERVISOR, town),
        "observer": placed("m_observer", Role.OBSERVER, county),
        "other_town": placed("m_other", Role.TOWN_ADMIN, other_town),
    }
    campaign = factories.CampaignFactory(unit=town)
    factories.CampaignFactory(unit=other_town, name="潭头镇百日攻坚行动")
    project = factories.ProjectFactory(campaign=campaign, leader=users["leader"], listed_by=city)
    factories.AssignmentFactory(project=project, user=users["team_member"])
    leader, supervisor = users["leader"], users["supervisor"]

    report = submit_report(project, users["team_member"], percent=Decimal("20"),
                           investment_done=Decimal("100"), work_done="桩基", photos=[jpeg()])
    obstacle = record_obstacle(project, users["team_member"], title="用电", category="water_power",
                               due_date=timezone.localdate(), photos=[jpeg()])
    hazard = record_hazard(project, users["team_member"], checked_on=timezone.localdate(),
                           description="临边", level="general", rectify_by=timezone.localdate(),
                           photos=[jpeg()])
    check = hazard.check_record
    awaiting = Hazard.objects.create(check_record=check, description="基坑", level=Hazard.Level.MAJOR,
                                     rectify_by=timezone.localdate(), rectified_on=timezone.localdate(),
                                     rectification="已设围挡", status=Hazard.Status.AWAITING_REVIEW,
                                     review_round=1)
    reviewed = Hazard.objects.create(check_record=check, description="配电箱", level=Hazard.Level.MAJOR,
                                     rectify_by=timezone.localdate(), rectified_on=timezone.localdate(),
                                     rectification="已接地", status=Hazard.Status.AWAITING_REVIEW,
                                     review_round=1)
    review = review_hazard(reviewed, supervisor, verdict="verified", note="现场核实",
                           photo=jpeg("review.jpg"))
    meeting = Meeting.objects.create(campaign=campaign, kind=Meeting.Kind.SPECIAL_MEETING,
                                     title="专题会", held_on=timezone.localdate(), chaired_by=leader)
    item = ActionItem.objects.create(meeting=meeting, project=project, description="协调",
                                     owner=leader, due_date=timezone.localdate())

    notice = notices.create_draft_notice(project, reason="滞后", required_action="整改",
                                         created_by=supervisor)
    notices.issue_notice(notice, supervisor)
    notices.acknowledge_notice(notice, leader)
    response = notices.respond_to_notice(notice, leader, "已整改", files=[
        jpeg("evidence.jpg"), SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 test")])
    evidence = Evidence.objects.get(response=response)
    draft = notices.create_draft_notice(project, reason="草稿", required_action="整改",
                                        created_by=supervisor)

    spot_check = SpotCheck.objects.create(campaign=campaign, kind=SpotCheck.Kind.SCHEDULED,
                                          title="定期检查", planned_on=timezone.localdate())
    spot_check.projects.add(project)
    finding = record_finding(spot_check, project, "资料不全", supervisor,
                             rectify_by=spot_check.planned_on, photos=[jpeg()])
    criticism = draft_criticism(project, person=leader, reason="工作不力")
    highlight = Highlight.objects.create(campaign=campaign, kind=Highlight.Kind.PERSON, title="好干部",
                                         body="事迹", photo=jpeg("hl.jpg"))
    today = timezone.localdate()
    bulletin = generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    notification = Notification.objects.create(user=leader, kind="test", title="提醒")
    county_ids = build_county_campaign(county, users)
    wall_link, wall_token = create_wall_link(campaign, users["town_admin"], label="大厅屏幕")

    return World(users, {
        "campaign": campaign.pk, "project": project.pk, "leader_user": leader.pk,
        "photo": report.photos.get().pk, "obstacle_photo": obstacle.photos.get().pk,
        "hazard_photo": hazard.photos.get().pk, "finding_photo": finding.photos.get().pk,
        "response_photo": response.photos.get().pk,
        "obstacle": obstacle.pk, "hazard": hazard.pk, "meeting": meeting.pk, "item": item.pk,
        "awaiting_hazard": awaiting.pk, "hazard_review": review.pk,
        "notice": notice.pk, "draft_notice": draft.pk, "evidence": evidence.pk,
        "spot_check": spot_check.pk, "finding": finding.pk, "criticism": criticism.pk,
        "highlight": highlight.pk, "bulletin": bulletin.pk, "notification": notification.pk,
        **county_ids,
        "wall_link": wall_link.pk, "wall_token": wall_token,
    })


def build_county_campaign(county: Unit, users) -> dict[str, int]:
    """A campaign the county runs itself, above our town: our town's people read it, and none of
    them writes to it (campaign.access.may_write_campaign)."""
    today = timezone.localdate()
    county_leader = placed("c_leader", Role.LEADER, county)
    campaign = factories.CampaignFactory(
        unit=county, name="长乐市百日攻坚行动", start_date=factories.TODAY - datetime.timedelta(days=60))
    project = factories.ProjectFactory(campaign=campaign, leader=county_leader, listed_by=county,
                                       code="CL-001")
    draft = notices.create_draft_notice(project, reason="滞后", required_action="整改")
    meeting = Meeting.objects.create(campaign=campaign, kind=Meeting.Kind.SPECIAL_MEETING,
                                     title="县专题会", held_on=today, chaired_by=county_leader)
    spot_check = SpotCheck.objects.create(campaign=campaign, kind=SpotCheck.Kind.SCHEDULED,
                                          title="县定期检查", planned_on=today)
    spot_check.projects.add(project)
    county_finding = Finding.objects.create(spot_check=spot_check, project=project, description="台账不全")
    county_hazard = Hazard.objects.create(
        check_record=SafetyCheck.objects.create(project=project, checked_on=today), description="脚手架",
        level=Hazard.Level.MAJOR, rectify_by=today, rectified_on=today, rectification="已加固",
        status=Hazard.Status.AWAITING_REVIEW, review_round=1)
    criticism = draft_criticism(project, person=county_leader, reason="工作不力")
    bulletin = generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    return {"county_campaign": campaign.pk, "county_leader": county_leader.pk, "county_project": project.pk,
            "county_draft_notice": draft.pk, "county_meeting": meeting.pk,
            "county_spot_check": spot_check.pk, "county_criticism": criticism.pk,
            "county_bulletin": bulletin.pk, "county_finding": county_finding.pk,
            "county_hazard": county_hazard.pk}
