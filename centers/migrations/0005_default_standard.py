from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from centers.standards_data import RULES, STANDARD_CODE, STANDARD_NAME, STANDARD_SOURCE

    Standard = apps.get_model("centers", "Standard")
    StandardRule = apps.get_model("centers", "StandardRule")
    standard, _ = Standard.objects.get_or_create(
        code=STANDARD_CODE, defaults={"name": STANDARD_NAME, "source": STANDARD_SOURCE}
    )
    for order, (code, description, metric, comparison, threshold) in enumerate(RULES, start=1):
        StandardRule.objects.get_or_create(
            standard=standard,
            code=code,
            defaults={
                "description": description,
                "metric": metric,
                "comparison": comparison,
                "threshold": Decimal(threshold),
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("centers", "0004_mandates_standards_imports")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
