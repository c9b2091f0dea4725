"""Create the PostgreSQL database of DATABASE_URL when it does not exist yet (`make run` and
deploy/install.sh call it before migrate); nothing to do for SQLite or an existing database."""

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import errors, sql


class Command(BaseCommand):
    help = "Create the PostgreSQL database of the settings if it is missing."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            return
        params = {"host": database.get("HOST") or None, "port": database.get("PORT") or None,
                  "user": database.get("USER") or None, "password": database.get("PASSWORD") or None}
        name = database["NAME"]
        try:
            psycopg2.connect(dbname=name, **params).close()
            return
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(f"cannot reach PostgreSQL: {exc}") from None
        try:
            admin = psycopg2.connect(dbname="postgres", **params)
        except psycopg2.OperationalError as exc:
            raise CommandError(f"cannot reach PostgreSQL to create {name}: {exc}") from None
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except errors.DuplicateDatabase:
            pass  # made meanwhile by another process
        except psycopg2.Error as exc:
            raise CommandError(f"cannot create the database {name}: {exc}") from None
        finally:
            admin.close()
        self.stdout.write(f"created the database {name}")
