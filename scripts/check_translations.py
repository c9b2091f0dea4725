#!/usr/bin/env python3
"""Check that the Chinese catalogue is complete and compiled.

Run as `.venv/bin/python scripts/check_translations.py [path/to/django.po]`. It exits with 1 and lists
the msgids when any entry of locale/zh_Hans/LC_MESSAGES/django.po is untranslated or fuzzy, when a
python-format placeholder of the msgid is missing from its translation, or when django.mo is missing
or older than django.po. Standard library only: a fresh machine may have no gettext tools.
"""

from __future__ import annotations

import gettext
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v"}
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeExXorc%]|\{[A-Za-z0-9_]*\}")


def _unquote(text: str) -> str:
    """The value of one C-quoted PO string literal."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def label(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{ctx}{self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Every active entry (obsolete `#~` entries are left out), the header included (msgid "")."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field a continuation line extends

    def finish():
        nonlocal cur, target
        if cur is not None and (cur.msgstr or cur.msgid or cur.msgid_plural):
            entries.append(cur)
        cur, target = None, None

    def start(lineno: int) -> Entry:
        nonlocal cur
        if cur is None:
            cur = Entry(line=lineno)
        return cur

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if cur is not None and (cur.msgid or cur.msgstr):
                finish()
            entry = start(lineno)
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if cur is None or target is None:
                raise ValueError(f"line {lineno}: continuation without a keyword")
            name, index = target
            value = _unquote(line)
            if name == "msgstr":
                cur.msgstr[index] = cur.msgstr.get(index, "") + value
            else:
                setattr(cur, name, (getattr(cur, name) or "") + value)
            continue
        if keyword in ("msgctxt", "msgid") and cur is not None and cur.msgstr:
            finish()
        entry = start(lineno)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, None)
        elif keyword == "msgstr":
            entry.msgstr[0] = _unquote(rest)
            target = ("msgstr", 0)
        elif m := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            entry.msgstr[int(m.group(1))] = _unquote(rest)
            target = ("msgstr", int(m.group(1)))
        else:
            raise ValueError(f"line {lineno}: cannot read {raw!r}")
    finish()
    return entries


def placeholders(text: str) -> set[str]:
    return {p for p in _PLACEHOLDER.findall(text) if p != "%%"}


def problems(po_path: Path = PO_PATH) -> list[str]:
    """What is wrong with the catalogue at po_path, one line each; empty when all is well."""
    if not po_path.exists():
        return [f"{po_path} does not exist: run makemessages"]
    found: list[str] = []
    entries = parse_po(po_path.read_text(encoding="utf-8"))
    for entry in entries:
        where = f"{po_path.name}:{entry.line}"
        if entry.msgid == "" and entry.msgctxt is None:
            if entry.fuzzy:
                found.append(f"{where}: the header is marked fuzzy")
            continue
        if entry.fuzzy:
            found.append(f"{where}: fuzzy: {entry.label()}")
        if not entry.translated:
            found.append(f"{where}: untranslated: {entry.label()}")
            continue
        if "python-format" in entry.flags or "python-brace-format" in entry.flags:
            wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
            for index, text in entry.msgstr.items():
                if placeholders(text) != wanted:
                    found.append(f"{where}: placeholders differ in msgstr[{index}]: {entry.label()}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        found.append(f"{mo_path} does not exist: run compilemessages")
    elif mo_path.stat().st_mtime < po_path.stat().st_mtime and stale_mo(entries, mo_path):
        # A fresh git checkout writes both files in any order: an older .mo only counts as stale
        # when its messages differ from the .po's.
        found.append(f"{mo_path.name} is older than {po_path.name} and differs: run compilemessages")
    return found


def stale_mo(entries: list[Entry], mo_path: Path) -> bool:
    """True when the compiled catalogue does not hold exactly the .po's translated entries."""
    try:
        with mo_path.open("rb") as fp:
            catalog = gettext.GNUTranslations(fp)._catalog
    except (OSError, ValueError, struct.error):
        return True
    expected: dict[object, str] = {}
    for entry in entries:
        if entry.fuzzy or not entry.translated or (entry.msgid == "" and entry.msgctxt is None):
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(msgid, index)] = text
    actual = {k: v for k, v in catalog.items() if k != ""}
    return actual != expected


def main(argv: list[str]) -> int:
    po_path = Path(argv[1]) if len(argv) > 1 else PO_PATH
    found = problems(po_path)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s) in {po_path}", file=sys.stderr)
        return 1
    print(f"{po_path}: complete and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
