"""A change of a project's light updated in place too (0009 did it for the review moment): the
index on (campaign, health) dropped. Every count of lights is one campaign's, found by the
(campaign, code) constraint's index; with an index on the light, each change of light wrote every
index of the row. The scan's update of 10,000 lights and review moments on the bench's data:
107–116 ms with it, 52 ms without."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0010_report_latest_covering'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='project',
            name='project_campaign_health',
        ),
    ]
