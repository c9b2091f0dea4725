"""The notice pages: every lifecycle step allowed for its role and refused, with the reason, for
the others; reads refused as 404; the printable 督办单; evidence served safely."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from supervision.models import Evidence, Notice, NoticeEvent, ResponsePhoto

from .conftest import make_notice

pytestmark = pytest.mark.django_db

# The state each step starts from, and the form data it needs.
STEPS = {
    "issue": ("draft", {}),
    "acknowledge": ("issued", {}),
    "respond": ("acknowledged", {"respond-measures": "已增加两个施工班组"}),
    "return": ("responded", {"return-comment": "缺少现场照片"}),
    "close": ("responded", {"close-comment": "核查属实"}),
}
SUPERVISION_STEPS = {"issue", "return", "close"}


def post_step(client, notice, step, data=None):
    return client.post(reverse("notice_step", args=[notice.pk, step]), data or STEPS[step][1])


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("role", ["supervisor", "town_admin", "leader", "team_member", "observer"])
def test_each_step_is_allowed_for_its_role_only(request, client, project, supervisor, step, role):
    user = request.getfixturevalue(role)
    notice = make_notice(project, supervisor, STEPS[step][0])
    client.force_login(user)
    response = post_step(client, notice, step)
    allowed = role in ("supervisor", "town_admin") if step in SUPERVISION_STEPS else role == "leader"
    notice.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert notice.status != STEPS[step][0] or step == "return"
        event = notice.events.order_by("-pk").first()
        assert event.actor == user and event.at is not None
    elif step == "issue" and role in ("leader", "team_member", "observer"):
        # A draft is not shown to anyone outside the supervision group.
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert "refused-reason" in response.content.decode()
        assert notice.status == STEPS[step][0]


def test_a_refused_step_says_why(client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "issued")
    client.force_login(supervisor)
    response = post_step(client, notice, "acknowledge")
    assert response.status_code == 403
    assert "Only the leader the notice is issued to can do this." in response.content.decode()
    client.force_login(leader)
    response = post_step(client, notice, "close")
    assert response.status_code == 403
    assert "Only a notice with a response can be closed." in response.content.decode()


def test_the_whole_lifecycle_through_the_pages_is_stamped(client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "draft")
    client.force_login(supervisor)
    assert post_step(client, notice, "issue", {"issue-respond_by": ""}).status_code == 302
    client.force_login(leader)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert 'id="do-acknowledge"' in page and 'id="do-close"' not in page
    post_step(client, notice, "acknowledge")
    post_step(client, notice, "respond")
    client.force_login(supervisor)
    post_step(client, notice, "return")
    client.force_login(leader)
    post_step(client, notice, "respond", {"respond-measures": "补充现场照片"})
    client.force_login(supervisor)
    post_step(client, notice, "close")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CLOSED
    actions = list(notice.events.values_list("action", "actor__username"))
    assert actions == [
        (NoticeEvent.Action.CREATED, "dcz1"), (NoticeEvent.Action.ISSUED, "dcz1"),
        (NoticeEvent.Action.ACKNOWLEDGED, "leader1"), (NoticeEvent.Action.RESPONDED, "leader1"),
        (NoticeEvent.Action.RETURNED, "dcz1"), (NoticeEvent.Action.RESPONDED, "leader1"),
        (NoticeEvent.Action.CLOSED, "dcz1"),
    ]
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert "补充现场照片" in page and "缺少现场照片" in page


def test_a_response_without_measures_keeps_what_was_typed_and_says_what_is_missing(
        client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    response = post_step(client, notice, "respond", {"respond-measures": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode() or "Describe" in response.content.decode()
    response = post_step(client, notice, "return", {"return-comment": "x"})
    assert response.status_code == 403


def test_reads_are_refused_as_404_outside_the_town_and_for_drafts(
        client, project, supervisor, leader, outsider, observer):
    draft = make_notice(project, supervisor, "draft")
    issued = make_notice(project, supervisor, "issued")
    client.force_login(outsider)
    assert client.get(reverse("notice_detail", args=[issued.pk])).status_code == 404
    assert client.get(reverse("notice_print", args=[issued.pk])).status_code == 404
    client.force_login(leader)
    assert client.get(reverse("notice_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("notice_detail", args=[issued.pk])).status_code == 200
    client.force_login(observer)
    assert client.get(reverse("notice_detail", args=[issued.pk])).status_code == 200


def test_the_leader_finds_their_notices_on_their_own_page(client, project, supervisor, leader,
                                                           other_leader):
    notice = make_notice(project, supervisor, "issued")
    make_notice(project, supervisor, "draft")
    client.force_login(leader)
    page = client.get(reverse("notice_list")).content.decode()
    assert notice.number in page and "Act on it" in page
    assert "Draft" not in page.split('id="notice-table"')[1]
    client.force_login(other_leader)
    assert notice.number not in client.get(reverse("notice_list")).content.decode()


def test_the_printed_notice_is_in_the_official_layout(client, project, supervisor):
    campaign = project.campaign
    campaign.issuing_body, campaign.contact_person, campaign.contact_phone = (
        "湖南镇百日攻坚行动领导小组办公室", "陈督查", "0591-28881234")
    campaign.save()
    notice = make_notice(project, supervisor, "issued")
    client.force_login(supervisor)
    page = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert notice.number.startswith("湖督〔") and notice.number.endswith("号")
    for text in ("督办单", notice.number, project.name, "主　　送", "承办单位", project.owner,
                 project.leader.profile.full_name, "督办事项", "办理要求", "反馈时限", "签收人",
                 "签收时间", "联系人：陈督查", "电话：0591-28881234", "湖南镇百日攻坚行动领导小组办公室",
                 "回　执（办理情况反馈）", "办理情况", "负责人签字",
                 "进度滞后18个百分点", "三日内制定赶工计划", "@media print", "size: A4 portrait",
                 'counter(page)'):
        assert text in page
    # The 回执 has ruled lines to write the reply on.
    reply = page.split('id="notice-reply"')[1]
    assert reply.count("<div></div>") >= 5
    assert "<script>" not in page


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def test_evidence_is_behind_login_and_served_safely(client, project, supervisor, leader, outsider):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改",
        "respond-files": [SimpleUploadedFile("site.png", _png(), "image/png"),
                          SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test", "application/pdf")],
    })
    assert response.status_code == 302
    pdf = Evidence.objects.get()  # the photo is stored as a photo (tests/workbench/test_evidence_photos.py)
    # A file stored before uploads were checked by content (or an image stored as a file before
    # photos were kept apart) is shown inline only when Pillow verifies it as an image.
    photo = Evidence.objects.create(response=pdf.response, file=SimpleUploadedFile("site.png", _png()))
    fake = Evidence.objects.create(response=pdf.response,
                                   file=SimpleUploadedFile("fake.png", b"<script>alert(1)</script>"))
    client.force_login(supervisor)
    r = client.get(reverse("evidence_file", args=[photo.pk]))
    assert r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in r.get("Content-Disposition", "")
    r = client.get(reverse("evidence_file", args=[fake.pk]))
    assert r["Content-Type"] == "application/octet-stream" and "attachment" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    r = client.get(reverse("evidence_file", args=[pdf.pk]))
    assert "attachment" in r["Content-Disposition"]
    client.force_login(outsider)
    assert client.get(reverse("evidence_file", args=[photo.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("evidence_file", args=[photo.pk])).status_code == 302


def test_the_evidence_is_listed_under_its_own_name_not_its_storage_folders(client, project,
                                                                          supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改",
        "respond-files": [SimpleUploadedFile("签订协议.pdf", b"%PDF-1.4 test", "application/pdf")]})
    evidence = Evidence.objects.get()
    assert evidence.file.name.count("/") >= 2  # evidence/2026/12/签订协议.pdf
    client.force_login(supervisor)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    link = reverse("evidence_file", args=[evidence.pk])
    assert f'href="{link}">签订协议.pdf</a>' in page


def test_a_file_of_a_refused_kind_is_named_beside_the_field(client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改，见附件",
        "respond-files": [SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")],
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "run.exe: this kind of file is not accepted." in page
    assert "已整改，见附件" in page


def test_the_supervision_group_drafts_a_notice_by_hand_from_a_flag(client, project, supervisor,
                                                                  red_flag, leader):
    client.force_login(supervisor)
    page = client.get(reverse("notice_new") + f"?project={project.pk}").content.decode()
    assert "Behind plan" in page
    response = client.post(reverse("notice_new"), {
        "campaign": project.campaign_id, "project": project.pk, "flags": [red_flag.pk],
        "reason": "进度滞后", "required_action": "制定赶工计划"})
    notice = Notice.objects.get()
    assert response.url == reverse("notice_detail", args=[notice.pk])
    assert list(notice.flags.all()) == [red_flag] and notice.issued_to == leader
    client.force_login(leader)
    assert client.get(reverse("notice_new")).status_code == 403


def test_a_response_date_in_the_past_is_refused_beside_its_field(client, project, supervisor):
    import datetime

    from django.utils import timezone

    notice = make_notice(project, supervisor, "draft")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(supervisor)
    response = post_step(client, notice, "issue", {"issue-respond_by": yesterday.isoformat()})
    assert response.status_code == 400
    form = response.context["step_forms"]["issue"]
    assert form.errors["respond_by"] == ["The response date cannot be in the past."]
    assert not form.non_field_errors()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT and not notice.number


def test_a_draft_is_titled_in_the_page_language_s_brackets(client, project, supervisor):
    draft = make_notice(project, supervisor, "draft")
    client.force_login(supervisor)
    url = reverse("notice_detail", args=[draft.pk])
    assert "Supervision notice (Draft)</h1>" in client.get(url).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "督办单（草稿）</h1>" in client.get(url).content.decode()


def _docx() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize("name,content", [
    ("shell.jpg", b"<?php system($_GET['c']); ?>"),
    ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("report.docx", b"PK\x03\x04 not really a zip"),
    ("table.xlsx", None),  # a real Word file named as a spreadsheet
    ("notes.txt", b"<html><body>hi</body></html>"),
    ("old.doc", b"MZ\x90\x00 an executable"),
])
def test_evidence_whose_content_is_not_what_its_name_says_is_refused_beside_the_field(
        client, project, supervisor, leader, name, content):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    client.cookies["django_language"] = "zh-hans"  # this page in Chinese
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改，见附件",
        "respond-files": [SimpleUploadedFile(name, _docx() if content is None else content)],
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{name}：文件内容与扩展名不符" in page
    assert "已整改，见附件" in page
    assert not Evidence.objects.exists()


def test_evidence_of_every_accepted_kind_is_stored(client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    files = [SimpleUploadedFile("a.png", _png()), SimpleUploadedFile("b.pdf", b"%PDF-1.7\n"),
             SimpleUploadedFile("c.docx", _docx()), SimpleUploadedFile("d.xlsx", _xlsx()),
             SimpleUploadedFile("e.doc", ole), SimpleUploadedFile("f.xls", ole),
             SimpleUploadedFile("g.txt", "整改情况说明".encode("gb18030"))]
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改", "respond-files": files})
    assert response.status_code == 302
    # The photo is kept as a photo (a thumbnail on the page), every other file as evidence.
    assert Evidence.objects.count() == len(files) - 1
    assert ResponsePhoto.objects.filter(response__notice=notice).count() == 1


def test_a_decompression_bomb_as_evidence_is_refused_beside_the_field(client, project, supervisor,
                                                                     leader):
    from tests.projects.conftest import bomb_png

    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    client.cookies["django_language"] = "zh-hans"  # this page in Chinese
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改，见附件",
        "respond-files": [SimpleUploadedFile("site.png", bomb_png())]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "site.png" in page and "像素" in page and "已整改，见附件" in page


def test_a_file_chosen_with_a_refused_response_is_said_to_be_chosen_again(client, project,
                                                                          supervisor, leader):
    """Found by the leader's walk: the chosen photo vanished after an error with no word (the
    report, obstacle and hazard forms said so; the response and 复核 forms did not)."""
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "",
        "respond-files": [SimpleUploadedFile("协议.pdf", b"%PDF-1.4 test", "application/pdf")]})
    assert response.status_code == 400
    assert 'id="photos-lost"' in response.content.decode()
    # Nothing chosen: nothing to say.
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]),
                           {"respond-measures": ""})
    assert 'id="photos-lost"' not in response.content.decode()


def test_two_files_of_one_name_are_each_listed_and_downloaded_under_that_name(
        client, project, supervisor, leader):
    """Found by the higher office's walk: a second doc.pdf was offered as "doc_e9XqXFQ.pdf" (the
    storage's suffix for a name already there)."""
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    for text in ("第一次", "第二次"):
        client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
            "respond-measures": text,
            "respond-files": [SimpleUploadedFile("doc.pdf", b"%PDF-1.4 " + text.encode(),
                                                 "application/pdf")]})
        if text == "第一次":
            client.force_login(supervisor)
            post_step(client, notice, "return")
            client.force_login(leader)
    stored = list(Evidence.objects.order_by("pk"))
    assert len(stored) == 2 and stored[0].file.name != stored[1].file.name
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    for evidence in stored:
        link = reverse("evidence_file", args=[evidence.pk])
        assert f'href="{link}">doc.pdf</a>' in page
        disposition = client.get(link)["Content-Disposition"]
        assert 'filename="doc.pdf"' in disposition


def test_a_returned_notice_says_why_above_the_form_and_in_the_todo_list(
        client, project, supervisor, leader):
    """Found by the leader's walk: the reason for returning was item 5 of the history, below an
    empty form; 待办 just said 反馈."""
    notice = make_notice(project, supervisor, "responded")
    client.force_login(supervisor)
    post_step(client, notice, "return", {"return-comment": "缺少征迁协议的佐证材料"})
    client.force_login(leader)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    because = page.index('id="returned-because"')
    form = page.index('id="step-respond"')
    assert form < because and "缺少征迁协议的佐证材料" in page[because:because + 400]
    # The last answer is there to complete (make_notice answered 已制定赶工计划，增加两个班组).
    assert "已制定赶工计划，增加两个班组</textarea>" in page
    todo = client.get(reverse("todo")).content.decode()
    assert "缺少征迁协议的佐证材料" in todo and notice.number in todo


def test_the_printed_notice_keeps_every_figure_of_its_text_whole_and_escapes_the_rest(
        client, project, supervisor):
    """Chromium broke "2027-01-31" after its hyphen in a printed 督办单's 事由 (no CSS keeps a
    hyphenated figure whole): each date, percent and amount of the text is a no-wrap figure."""
    notice = make_notice(project, supervisor, "issued")
    Notice.objects.filter(pk=notice.pk).update(
        reason="预计2027-01-31完工，滞后33.8%；投资32,000.00万元\n<b>'引号'</b>")
    client.force_login(supervisor)
    page = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    for figure in ("2027-01-31", "33.8%", "32,000.00"):
        assert f'<span class="figure">{figure}</span>' in page
    assert "&lt;b&gt;&#x27;引号&#x27;&lt;/b&gt;" in page and "<br>" in page
