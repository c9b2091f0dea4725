"""The lock files serve every Python the project supports. Following the dependency tree from
gongjian's own requirements through the installed packages' metadata (extras and environment
markers included), each requirement that applies on Python 3.11.2 (Debian 12's), 3.12 or 3.13 is
pinned in requirements.lock (the dev ones in requirements-dev.lock), with hashes, at a version the
requirement allows. A lock compiled on a newer 3.11 once lacked async-timeout, which redis needs
below 3.11.3, and the install on Debian 12 stopped there."""

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ["3.11.2", "3.12.0", "3.13.0"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
                 re.MULTILINE)


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {canonicalize_name(m.group(1)): (Version(m.group(2)), m.group(3).count("--hash="))
            for m in PIN.finditer(text)}


def requirements_on(python: str, extras: set[str]) -> list[Requirement]:
    """Every requirement reached from gongjian[extras] on that Python."""
    environment = {**default_environment(), "python_full_version": python,
                   "python_version": ".".join(python.split(".")[:2])}
    found, seen, todo = [], set(), [("gongjian", frozenset(extras))]
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        try:
            raw = distribution(name).requires or []
        except PackageNotFoundError:  # not installed here: its own requirements cannot be read
            continue
        for line in raw:
            requirement = Requirement(line)
            if requirement.marker and not any(
                    requirement.marker.evaluate({**environment, "extra": extra})
                    for extra in wanted | {""}):
                continue
            found.append(requirement)
            todo.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return found


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", set()),
                                              ("requirements-dev.lock", {"dev"})])
def test_the_lock_pins_everything_needed_on_each_supported_python(python, lock, extras):
    pinned = pins(lock)
    needed = requirements_on(python, extras)
    assert len(needed) > 20  # the tree was walked, not just gongjian's first level
    missing = sorted({str(r) for r in needed if canonicalize_name(r.name) not in pinned})
    assert not missing, f"{lock} lacks, on Python {python}: {missing}"
    refused = sorted(f"{r} (pinned {pinned[canonicalize_name(r.name)][0]})" for r in needed
                     if not r.specifier.contains(pinned[canonicalize_name(r.name)][0],
                                                 prereleases=True))
    assert not refused, refused
    assert all(hashes >= 1 for _, hashes in pinned.values())


def test_async_timeout_is_pinned_for_debian_12s_python():
    # redis requires it below 3.11.3 only; Debian 12 ships 3.11.2.
    redis = [r for r in requirements_on("3.11.2", set()) if canonicalize_name(r.name) == "async-timeout"]
    assert redis and "async-timeout" in pins("requirements.lock")
