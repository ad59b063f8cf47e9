# A unit's code is unique in its county, not in the deployment (issue 17), and the materialised path
# starts with the county's code ("QY/ZJJ/" -> "360803/QY/ZJJ/") so that it stays unique and every
# prefix query on it stays inside one county.

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr


def paths_rooted_at_the_county(apps, schema_editor):
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    OrgUnit.objects.update(path=Concat(F("county_id"), Value("/"), F("path")))


def paths_back(apps, schema_editor):
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    OrgUnit.objects.update(path=Substr(F("path"), Length(F("county_id")) + 2))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_county_calendar_overrides'),
    ]

    operations = [
        migrations.AlterField(
            model_name='orgunit',
            name='code',
            field=models.CharField(max_length=32, verbose_name='编码'),
        ),
        migrations.AddConstraint(
            model_name='orgunit',
            constraint=models.UniqueConstraint(fields=('county', 'code'), name='orgunit_code_per_county'),
        ),
        migrations.RunPython(paths_rooted_at_the_county, paths_back),
    ]
