import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import onewindow.townships.models


def batches_to_the_default_county(apps, schema_editor):
    """Before counties the batches were the one district's: the default county's (setting
    ONEWINDOW_REGION_CODE), as accounts/0010 gave it every unit."""
    DelegationBatch = apps.get_model("townships", "DelegationBatch")
    County = apps.get_model("accounts", "County")
    if not DelegationBatch.objects.exists():
        return
    code = settings.ONEWINDOW_REGION_CODE
    county, _created = County.objects.get_or_create(
        code=code, defaults={"name": {"360803": "青原区"}.get(code, code), "city_code": code[:4] + "00", "case_prefix": "QY"}
    )
    DelegationBatch.objects.filter(county__isnull=True).update(county=county)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_counties"),
        ("townships", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delegationbatch",
            name="county",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.county", verbose_name="区县"
            ),
        ),
        migrations.RunPython(batches_to_the_default_county, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delegationbatch",
            name="county",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.county", verbose_name="区县"
            ),
        ),
        # The default in a step of its own: in the step that makes the column NOT NULL, Django
        # would call it to fill the rows, creating the default county in an empty database.
        migrations.AlterField(
            model_name="delegationbatch",
            name="county",
            field=models.ForeignKey(
                default=onewindow.townships.models.default_county,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.county",
                verbose_name="区县",
            ),
        ),
    ]
