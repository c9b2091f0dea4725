# Campaign settings for official documents: issuing body, short name, 主送, contact (issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0003_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='contact_person',
            field=models.CharField(blank=True, help_text='Printed on bulletins and notices as 联系人.', max_length=50, verbose_name='contact person'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='contact_phone',
            field=models.CharField(blank=True, help_text='Printed on bulletins and notices as 电话.', max_length=30, verbose_name='contact phone'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='issuing_body',
            field=models.CharField(blank=True, help_text="The 发文机关 that signs bulletins and notices, as in 湖南镇百日攻坚行动领导小组办公室; the campaign's name when empty.", max_length=100, verbose_name='issuing body'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='issuing_short_name',
            field=models.CharField(blank=True, help_text="Heads bulletins and names their files, as in 湖南镇百日攻坚 (湖南镇百日攻坚通报第3期); the campaign's name when empty.", max_length=30, verbose_name="issuing body's short name"),
        ),
        migrations.AddField(
            model_name='campaign',
            name='recipients',
            field=models.CharField(blank=True, help_text='The 主送 line of a bulletin, as in 各挂钩领导，各村（社区），镇直各单位.', max_length=300, verbose_name='main recipients'),
        ),
        migrations.AddField(
            model_name='historicalcampaign',
            name='contact_person',
            field=models.CharField(blank=True, help_text='Printed on bulletins and notices as 联系人.', max_length=50, verbose_name='contact person'),
        ),
        migrations.AddField(
            model_name='historicalcampaign',
            name='contact_phone',
            field=models.CharField(blank=True, help_text='Printed on bulletins and notices as 电话.', max_length=30, verbose_name='contact phone'),
        ),
        migrations.AddField(
            model_name='historicalcampaign',
            name='issuing_body',
            field=models.CharField(blank=True, help_text="The 发文机关 that signs bulletins and notices, as in 湖南镇百日攻坚行动领导小组办公室; the campaign's name when empty.", max_length=100, verbose_name='issuing body'),
        ),
        migrations.AddField(
            model_name='historicalcampaign',
            name='issuing_short_name',
            field=models.CharField(blank=True, help_text="Heads bulletins and names their files, as in 湖南镇百日攻坚 (湖南镇百日攻坚通报第3期); the campaign's name when empty.", max_length=30, verbose_name="issuing body's short name"),
        ),
        migrations.AddField(
            model_name='historicalcampaign',
            name='recipients',
            field=models.CharField(blank=True, help_text='The 主送 line of a bulletin, as in 各挂钩领导，各村（社区），镇直各单位.', max_length=300, verbose_name='main recipients'),
        ),
    ]
