from decimal import Decimal

from django.db import migrations

WEIGHTS = {
    "satisfaction": Decimal("30"),
    "attendance": Decimal("20"),
    "results": Decimal("20"),
    "supervision": Decimal("20"),
    "checklist": Decimal("10"),
}


def seed(apps, schema_editor):
    ScoreWeight = apps.get_model("evaluation", "ScoreWeight")
    for component, weight in WEIGHTS.items():
        ScoreWeight.objects.get_or_create(component=component, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_supervision_performance")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
