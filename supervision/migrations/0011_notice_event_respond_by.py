from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Before this field the date a step set was only kept on the notice, as the last one: it
    belongs to the notice's last issuing or returning step. Earlier steps' dates are unknown and
    stay empty (never counted overdue)."""
    NoticeEvent = apps.get_model("supervision", "NoticeEvent")
    Notice = apps.get_model("supervision", "Notice")
    setting = NoticeEvent.objects.filter(action__in=["issued", "returned"])
    latest = setting.filter(notice_id=OuterRef("notice_id")).order_by("-at", "-pk").values("pk")[:1]
    (setting.filter(pk=Subquery(latest))
     .update(respond_by=Subquery(Notice.objects.filter(pk=OuterRef("notice_id"))
                                 .values("respond_by")[:1])))


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0010_drop_scan_state'),
    ]

    operations = [
        migrations.AddField(
            model_name='noticeevent',
            name='respond_by',
            field=models.DateField(blank=True, null=True, verbose_name='respond by'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
