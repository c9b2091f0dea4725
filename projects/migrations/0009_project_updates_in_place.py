"""Updates of a project in place: no index on review_at (written by every scan of the project
and every report) nor of its own on campaign (the composite indexes begin with it), and 15 %
of each page left free on PostgreSQL, so an update that changes no indexed column is HOT (no
index rewritten). Measured on the bench's data: 10,000 updates of light and review moment
306–327 ms before, 134–137 ms after (docs/notes/NOTES-h-scan.md). The free room applies to the
pages written from now on (VACUUM FULL or pg_repack spreads an existing table)."""

import django.db.models.deletion
from django.db import migrations, models


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE projects_project SET (fillfactor = 85)")


def fill_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE projects_project RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0008_once_form_tokens'),
        ('projects', '0008_project_review_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='project',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='projects', to='campaign.campaign', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='project',
            name='review_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='next review'),
        ),
        migrations.RunPython(leave_room, fill_up),
    ]
