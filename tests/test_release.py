"""The release (the cache key prefix) names the commit: from the git checkout, else from the
RELEASE file deploy/install.sh writes beside the copied code, else GONGJIAN_RELEASE."""

import os
import subprocess
import sys
from pathlib import Path

from config.settings import _release

ROOT = Path(__file__).resolve().parents[1]


def test_an_installed_copy_without_git_takes_the_commit_from_its_release_file(tmp_path):
    bare = _release(tmp_path)
    (tmp_path / "RELEASE").write_text("0123456789abcdef0123\n", encoding="utf-8")
    assert _release(tmp_path) == f"{bare}-0123456789"


def test_two_installed_commits_get_two_cache_key_prefixes(tmp_path):
    def prefix(release_file: str | None, **env_changes) -> str:
        app = tmp_path / (release_file or "none")
        (app / "config").mkdir(parents=True, exist_ok=True)
        if release_file:
            (app / "RELEASE").write_text(release_file, encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if k not in {"DJANGO_SETTINGS_MODULE", "GONGJIAN_RELEASE"}}
        env.update({"SECRET_KEY": "r" * 60, "DATABASE_URL": "sqlite:///:memory:",
                    "REDIS_URL": "redis://127.0.0.1:6379/5", **env_changes})
        # config/settings.py run from a copy without .git, as in /opt/gongjian: BASE_DIR is there.
        settings_copy = app / "config" / "settings.py"
        settings_copy.write_text((ROOT / "config/settings.py").read_text(encoding="utf-8"),
                                 encoding="utf-8")
        code = (f"import runpy; ns = runpy.run_path({str(settings_copy)!r}); "
                "print(ns['CACHES']['default']['KEY_PREFIX'])")
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    first, second = prefix("aaaaaaaaaa1"), prefix("bbbbbbbbbb2")
    assert first.startswith("gj:") and first.endswith("-aaaaaaaaaa")
    assert second.endswith("-bbbbbbbbbb") and first != second
    assert prefix("aaaaaaaaaa1", GONGJIAN_RELEASE="2026-12-rc1") == "gj:2026-12-rc1"
