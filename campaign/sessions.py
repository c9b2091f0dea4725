"""Sessions read from the shared cache and kept in the database (SESSION_ENGINE with REDIS_URL).

Django's cached_db store: a read is one Redis round trip instead of a query, every write goes to
the database first and then to Redis, so losing Redis loses no login. Two changes, for the day
Redis cannot be reached:

- Every cache call that fails is logged and the database answers. Django's own store raises when
  it refills the cache after a database read, on exists() and on delete(), which would turn an
  outage into a 500 on every signed-in page, and a failed logout.
- A cached copy lives at most CACHE_SECONDS, not the session's 12 hours. A logout (or an expired
  session) while Redis is unreachable deletes the database row but cannot drop the cached copy;
  that copy then answers for at most this long once Redis is back.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

from .cache import UNREACHABLE

log = logging.getLogger("gongjian.cache")

CACHE_SECONDS = 5 * 60


class SessionStore(cached_db.SessionStore):
    def _cache_set(self, data, expiry_age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(expiry_age, CACHE_SECONDS))
        except UNREACHABLE as exc:
            log.warning("cache unreachable, session not cached error=%s", exc)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except UNREACHABLE as exc:
            log.warning("cache unreachable, session read from the database error=%s", exc)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except UNREACHABLE as exc:
            log.warning("cache unreachable, session looked up in the database error=%s", exc)
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except UNREACHABLE as exc:
            # The database row is gone; the cached copy expires within CACHE_SECONDS.
            log.error("cache unreachable, deleted session left in the cache for at most %ss "
                      "error=%s", CACHE_SECONDS, exc)
