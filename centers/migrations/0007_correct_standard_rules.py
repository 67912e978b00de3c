"""The standards held to the letter of the seeds (issue 13): the corrected
rules get their new description and metric (capacity with the living
facilities, part-time staff against the research staff, title shares of the
teachers in total), and the rules the engine lacked are added. Thresholds of
existing rows are kept as edited."""

from decimal import Decimal

from django.db import migrations


def correct(apps, schema_editor):
    from centers.standards_data import (
        CORRECTED_RULES,
        RULES,
        STANDARD_CODE,
        STANDARD_NAME,
        STANDARD_SOURCE,
    )

    Standard = apps.get_model("centers", "Standard")
    StandardRule = apps.get_model("centers", "StandardRule")
    standard, _ = Standard.objects.get_or_create(
        code=STANDARD_CODE, defaults={"name": STANDARD_NAME, "source": STANDARD_SOURCE}
    )
    if "176" in standard.source and standard.source != STANDARD_SOURCE:
        standard.source = STANDARD_SOURCE
        standard.save(update_fields=["source"])
    for order, (code, description, metric, comparison, threshold) in enumerate(RULES, start=1):
        rule = StandardRule.objects.filter(standard=standard, code=code).first()
        if rule is None:
            StandardRule.objects.create(
                standard=standard,
                code=code,
                description=description,
                metric=metric,
                comparison=comparison,
                threshold=Decimal(threshold),
                order=order,
            )
        elif code in CORRECTED_RULES:
            rule.description = description
            rule.metric = metric
            rule.save(update_fields=["description", "metric"])


def restore(apps, schema_editor):
    StandardRule = apps.get_model("centers", "StandardRule")
    StandardRule.objects.filter(metric="part_time_to_research_ratio").update(
        metric="part_time_ratio"
    )
    StandardRule.objects.filter(metric="hosting_capacity").update(metric="teaching_seats")
    StandardRule.objects.filter(
        code__in=["rooms", "renewal", "postgraduate", "demo-lessons", "subjects"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("centers", "0006_standards_per_seeds_status_changes")]

    operations = [migrations.RunPython(correct, restore)]
