"""A resident who chose to collect the result at the agent point: the case carries it as its
delivery method from filing on (cases.owners gives the waiting delivery to the point's agents).
Existing open agent cases are brought in line."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    AgentApplication = apps.get_model("assistance", "AgentApplication")
    Case = apps.get_model("cases", "Case")
    chosen = AgentApplication.objects.filter(kind="case", deliver_at_point=True).values("case_id")
    Case.objects.filter(pk__in=chosen, delivery_method="").update(delivery_method="agent_point")


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_mandates_applications_ledger"),
        ("cases", "0006_delivery_at_agent_point"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
