# The case number counter keyed by (county, day) (issue 17). The old table's key was the day alone,
# so a new table is made, the old rows copied to the default county (every case numbered before
# counties was the default county's) and the old table dropped.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def old_days_to_the_default_county(apps, schema_editor):
    Old = apps.get_model("cases", "CaseNumberCounter")
    New = apps.get_model("cases", "CountyCaseNumberCounter")
    County = apps.get_model("accounts", "County")
    rows = list(Old.objects.values_list("day", "last"))
    if not rows:
        return
    code = settings.ONEWINDOW_REGION_CODE
    county, _created = County.objects.get_or_create(
        code=code, defaults={"name": {"360803": "青原区"}.get(code, code), "city_code": code[:4] + "00", "case_prefix": "QY"}
    )
    New.objects.bulk_create([New(county=county, day=day, last=last) for day, last in rows], batch_size=1000)


def back_to_one_row_per_day(apps, schema_editor):
    Old = apps.get_model("cases", "CaseNumberCounter")
    New = apps.get_model("cases", "CountyCaseNumberCounter")
    code = settings.ONEWINDOW_REGION_CODE
    Old.objects.bulk_create(
        [Old(day=day, last=last) for day, last in New.objects.filter(county_id=code).values_list("day", "last")],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_counties'),
        ('cases', '0016_agent_read_cover_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountyCaseNumberCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('last', models.PositiveIntegerField(default=0)),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.county')),
            ],
        ),
        migrations.RunPython(old_days_to_the_default_county, back_to_one_row_per_day),
        migrations.DeleteModel(name='CaseNumberCounter'),
        migrations.RenameModel(old_name='CountyCaseNumberCounter', new_name='CaseNumberCounter'),
        migrations.AddConstraint(
            model_name='casenumbercounter',
            constraint=models.UniqueConstraint(fields=('county', 'day'), name='case_number_counter_county_day'),
        ),
    ]
