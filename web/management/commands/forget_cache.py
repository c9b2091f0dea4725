"""Drop this site's own entries from the shared cache (scripts/restore.sh runs it after restoring
the database): the cached pages and figures and the cached sessions, every key under this
release's KEY_PREFIX — never another prefix's keys, never FLUSHDB. Without Redis (REDIS_URL
unset) nothing is shared, so there is nothing to drop."""

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted


class Command(BaseCommand):
    help = "Delete every cache entry under this site's key prefix (pages, figures, sessions)."

    def handle(self, *args, **options):
        cache = caches["default"]
        if not isinstance(cache, RedisCache):
            self.stdout.write("no shared cache (REDIS_URL is not set): nothing to forget")
            return
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        try:
            # The client itself, not cache.delete_pattern: IGNORE_EXCEPTIONS would make an
            # unreachable Redis look like an empty one.
            count = cache.client.delete_pattern("*")
        except ConnectionInterrupted as exc:
            raise CommandError(f"cannot reach Redis to drop the keys under {prefix!r}: "
                               f"{exc.__cause__ or exc}") from None
        self.stdout.write(f"forgot {count} cache entries (pages, figures, sessions) under "
                          f"{prefix!r}")
