"""The Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) is complete, compiled, and in step
with the source.

Chinese is the default language: an English msgid left untranslated shows up on a town official's
screen. To fix a failure here run `make messages` (makemessages, translate, compilemessages)."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IN_CI = os.environ.get("CI", "").lower() == "true"
MAKEMESSAGES_IGNORE = [".venv", "var", "test-artifacts", "node_modules", "media", "staticfiles"]

_spec = importlib.util.spec_from_file_location("check_translations",
                                               ROOT / "scripts" / "check_translations.py")
check_translations = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("check_translations", check_translations)
_spec.loader.exec_module(check_translations)


@pytest.fixture(scope="module")
def entries():
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l zh_Hans"
    found = check_translations.parse_po(PO_PATH.read_text(encoding="utf-8"))
    return [e for e in found if not (e.msgid == "" and e.msgctxt is None)]


# --- (a) the committed catalogue --------------------------------------------------------------


def test_parser_reads_a_small_catalogue():
    text = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "Page %(n)s"\nmsgstr "第%(n)s页"\n\n'
        '#, fuzzy\nmsgctxt "button"\nmsgid "Open"\nmsgstr ""\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "多"\n\n'
        'msgid ""\n"a \\"quoted\\" "\n"line\\n"\nmsgstr "x"\n\n'
        '#~ msgid "gone"\n#~ msgstr "走"\n'
    )
    header, page, open_, plural, multi = check_translations.parse_po(text)
    assert header.msgid == "" and "nplurals=1" in header.msgstr[0]
    assert page.translated and "python-format" in page.flags and page.references == ["a.py:1"]
    assert open_.fuzzy and not open_.translated and open_.key == ("button", "Open")
    assert plural.msgid_plural == "many" and plural.msgstr == {0: "多"}
    assert multi.msgid == 'a "quoted" line\n'


def test_catalogue_is_not_empty(entries):
    assert len(entries) > 100


def test_no_untranslated_entry(entries):
    missing = [e.label() for e in entries if not e.translated]
    assert not missing, f"{len(missing)} untranslated msgids: {missing}"


def test_no_fuzzy_entry():
    text = PO_PATH.read_text(encoding="utf-8")
    fuzzy = [e.label() for e in check_translations.parse_po(text) if e.fuzzy]
    assert not fuzzy, f"fuzzy entries (check the translation, then drop the flag): {fuzzy}"


def test_one_plural_form(entries):
    """Chinese has nplurals=1: every plural entry has exactly msgstr[0]."""
    wrong = [e.label() for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not wrong


def test_placeholders_kept(entries):
    wrong = []
    for e in entries:
        wanted = check_translations.placeholders(e.msgid) | check_translations.placeholders(
            e.msgid_plural or "")
        for text in e.msgstr.values():
            if check_translations.placeholders(text) != wanted:
                wrong.append(f"{e.label()} -> {text!r}")
    assert not wrong, wrong


def test_html_tags_kept(entries):
    import re

    tag = re.compile(r"</?[a-zA-Z][^>]*>")
    wrong = [e.label() for e in entries
             if any(sorted(tag.findall(t)) != sorted(tag.findall(e.msgid)) for t in e.msgstr.values())]
    assert not wrong, wrong


def test_compiled_catalogue_matches(entries):
    mo_path = PO_PATH.with_suffix(".mo")
    assert mo_path.exists(), "django.mo is missing: run compilemessages --locale zh_Hans"
    assert not check_translations.stale_mo(entries, mo_path), (
        "django.mo does not match django.po: run compilemessages --locale zh_Hans")


def test_check_script_passes():
    assert check_translations.problems(PO_PATH) == []


# --- (b) the running application speaks Chinese -----------------------------------------------


def test_key_strings_translate():
    from campaign.models import Role
    from projects.models import Project

    with translation.override("zh-hans"):
        assert str(Role.TOWN_ADMIN.label) == "攻坚办"
        assert str(Role.LEADER.label) == "包项目领导"
        assert str(Role.TEAM_MEMBER.label) == "工作专班成员"
        assert str(Role.SUPERVISOR.label) == "督查组"
        assert str(Role.OBSERVER.label) == "上级督查"
        assert str(Project._meta.verbose_name) == "项目"
        assert str(Project.Level.CITY.label) == "市级"
        assert str(Project._meta.get_field("planned_investment").verbose_name) == "计划投资（万元）"


def test_supervision_terms_translate():
    from supervision.models import Flag, Notice

    with translation.override("zh-hans"):
        assert str(Notice._meta.verbose_name) == "督办单"
        assert str(Flag._meta.verbose_name) == "预警"
        assert str(Flag.Kind.BEHIND_PLAN.label) == "进度滞后"
        assert str(Notice.Status.ISSUED.label) == "已交办"
        assert str(Notice.Status.CLOSED.label) == "办结销号"


def test_english_still_available():
    from campaign.models import Role

    with translation.override("en"):
        assert str(Role.TOWN_ADMIN.label) == "Campaign office"


# --- (c) every msgid in the source is in the catalogue ----------------------------------------


def _source_files() -> list[str]:
    """The repository's files as the developer sees them: tracked plus new, not ignored."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
        return [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
                and not set(p.relative_to(ROOT).parts[:1]) & {".git", *MAKEMESSAGES_IGNORE}]


def test_catalogue_holds_every_msgid_of_the_source(tmp_path, entries):
    if not shutil.which("xgettext") or not shutil.which("msguniq"):
        if IN_CI:
            pytest.fail("gettext tools (xgettext) are required in CI", pytrace=False)
        pytest.skip("needs GNU gettext (xgettext) to extract messages")
    copy = tmp_path / "src"
    for rel in _source_files():
        if rel.startswith("locale/"):
            continue
        src = ROOT / rel
        if src.is_file():
            dst = copy / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    (copy / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings",
           "GONGJIAN_VAR_DIR": str(tmp_path / "var")}
    env.setdefault("SECRET_KEY", "translations-test-" + "x" * 40)
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"]
    for pattern in MAKEMESSAGES_IGNORE:
        cmd += ["--ignore", pattern]
    result = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    extracted = check_translations.parse_po(
        (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    in_source = {e.key: e for e in extracted if e.msgid}
    in_catalogue = {e.key for e in entries}
    missing = sorted(
        f"{e.label()} ({', '.join(e.references[:2])})"
        for key, e in in_source.items() if key not in in_catalogue
    )
    assert not missing, (
        f"{len(missing)} msgids in the source are not in django.po (run `make messages`): {missing}")
