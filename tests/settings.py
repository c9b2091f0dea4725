"""Test settings: config.settings with a test secret, fast hashing and a throw-away media folder."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

from config.settings import *  # noqa: E402,F403
from config.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="gongjian-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test client speaks plain HTTP; the HTTPS redirect has its own test with it switched on.
SECURE_SSL_REDIRECT = False
STATIC_ROOT = tempfile.mkdtemp(prefix="gongjian-test-static-")
WHITENOISE_USE_FINDERS = True
# Tests read warnings (refused reads and writes, lockouts) from the logs: whatever LOG_LEVEL the
# shell has, the suite logs at INFO.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "INFO"}}  # noqa: F405
# One behaviour whatever REDIS_URL the shell has: no shared cache (web.cache then caches
# nothing) and sessions in the database; the tests of the shared cache switch Redis on themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
