import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import onewindow.welfare.models.standard


def standards_to_the_default_county(apps, schema_editor):
    """Before counties the standards were the one district's: the default county's (setting
    ONEWINDOW_REGION_CODE), as accounts/0010 gave it every unit."""
    Standard = apps.get_model("welfare", "Standard")
    County = apps.get_model("accounts", "County")
    if not Standard.objects.exists():
        return
    code = settings.ONEWINDOW_REGION_CODE
    county, _created = County.objects.get_or_create(
        code=code, defaults={"name": {"360803": "青原区"}.get(code, code), "city_code": code[:4] + "00", "case_prefix": "QY"}
    )
    Standard.objects.filter(county__isnull=True).update(county=county)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_counties"),
        ("welfare", "0010_roll_line_composite_key"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="standard",
            options={"ordering": ["county", "-year", "area_kind"], "verbose_name": "低保标准", "verbose_name_plural": "低保标准"},
        ),
        migrations.RemoveConstraint(model_name="standard", name="welfare_one_standard_per_year_kind"),
        migrations.AddField(
            model_name="standard",
            name="county",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.county", verbose_name="区县"
            ),
        ),
        migrations.RunPython(standards_to_the_default_county, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="standard",
            name="county",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.county", verbose_name="区县"
            ),
        ),
        # The default in a step of its own: in the step that makes the column NOT NULL, Django
        # would call it to fill the rows, creating the default county in an empty database.
        migrations.AlterField(
            model_name="standard",
            name="county",
            field=models.ForeignKey(
                default=onewindow.welfare.models.standard.default_county,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.county",
                verbose_name="区县",
            ),
        ),
        migrations.AddConstraint(
            model_name="standard",
            constraint=models.UniqueConstraint(
                fields=("county", "year", "area_kind"), name="welfare_one_standard_per_county_year_kind"
            ),
        ),
    ]
