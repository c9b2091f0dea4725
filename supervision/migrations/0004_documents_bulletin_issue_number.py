# Bulletin issue numbers (第N期), given at publication (issue 14).

from django.conf import settings
from django.db import migrations, models


def number_published_bulletins(apps, schema_editor):
    """Bulletins published before this migration get their 第N期 in the order they came out."""
    Bulletin = apps.get_model("supervision", "Bulletin")
    last: dict[int, int] = {}
    for bulletin in Bulletin.objects.filter(status="published").order_by(
            "campaign_id", "published_at", "period_end", "pk"):
        last[bulletin.campaign_id] = last.get(bulletin.campaign_id, 0) + 1
        bulletin.issue_number = last[bulletin.campaign_id]
        bulletin.save(update_fields=["issue_number"])


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0003_labels'),
        ('projects', '0003_project_resumed_on'),
        ('supervision', '0003_scan_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='bulletin',
            name='issue_number',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='第N期: given at publication, per campaign, without gaps.', null=True, verbose_name='issue number'),
        ),
        migrations.RunPython(number_published_bulletins, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(fields=('campaign', 'issue_number'), name='bulletin_issue_number_unique_in_campaign'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('issue_number__isnull', True), ('status', 'draft')), models.Q(('issue_number__isnull', False), ('status', 'published')), _connector='OR'), name='bulletin_published_has_issue_number'),
        ),
    ]
