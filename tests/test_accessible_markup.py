"""Every template keeps the accessible markup axe-core asks for (tests/browser/test_accessibility.py
checks the pages themselves): a table box that scrolls sideways can be reached by Tab and has a
name, no table header is empty, and no page reloads itself with a meta refresh."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "templates"
TEMPLATES = sorted(ROOT.rglob("*.html"))


def _tags(pattern: str):
    """(template, tag) for every match of pattern in the site's templates."""
    for path in TEMPLATES:
        for match in re.finditer(pattern, path.read_text(encoding="utf-8"), flags=re.S):
            yield path.relative_to(ROOT).as_posix(), match.group(0)


def test_templates_are_found():
    assert len(TEMPLATES) > 40


def test_every_scrolling_table_box_is_reachable_by_tab_and_named():
    boxes = list(_tags(r'<div[^>]*class="[^"]*\btable-responsive\b[^"]*"[^>]*>'))
    assert boxes
    bad = [(name, tag) for name, tag in boxes
           if not ('tabindex="0"' in tag and 'role="region"' in tag
                   and re.search(r'aria-label(ledby)?="[^"]+"', tag))]
    assert not bad, bad


@pytest.mark.parametrize("pattern", [r"<th\b[^>]*>\s*</th>", r'<meta[^>]*http-equiv="refresh"'])
def test_no_empty_table_header_and_no_meta_refresh(pattern):
    assert not list(_tags(pattern))
