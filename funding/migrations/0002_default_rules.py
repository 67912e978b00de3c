from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from funding.rules_data import RULES

    PolicyRule = apps.get_model("funding", "PolicyRule")
    for order, (code, description, metric, threshold, source) in enumerate(RULES, start=1):
        if not PolicyRule.objects.filter(metric=metric, district__isnull=True).exists():
            PolicyRule.objects.create(
                code=code,
                description=description,
                metric=metric,
                threshold=Decimal(threshold),
                source=source,
                order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
