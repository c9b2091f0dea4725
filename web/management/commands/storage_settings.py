"""Print where this site keeps its data, as the app's own settings say, for scripts/backup.sh and
scripts/restore.sh: shell assignments (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE for the
PostgreSQL tools, MEDIA_ROOT for the uploads), each value quoted for the shell; an empty one
is unset."""

import shlex
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the database and uploads folder of these settings as shell assignments."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError(
                f"backups need PostgreSQL; DATABASE_URL points at {database['ENGINE']}")
        values = {
            "PGHOST": database.get("HOST") or "",
            "PGPORT": str(database.get("PORT") or ""),
            "PGUSER": database.get("USER") or "",
            "PGPASSWORD": database.get("PASSWORD") or "",
            "PGDATABASE": database["NAME"],
            "MEDIA_ROOT": str(Path(settings.MEDIA_ROOT).resolve()),
        }
        for name, value in values.items():
            # An empty libpq variable is not the same as none (PGPORT= is an invalid port).
            self.stdout.write(f"{name}={shlex.quote(value)}" if value else f"unset {name}")
