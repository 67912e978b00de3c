"""The mentoring rule of the provincial reply (002: famous teachers and
principals mentor at least 3 ordinary teachers a year) and the evaluation
schemes in use, as data the bureau may change (``studios.defaults``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from studios import defaults

    defaults.write(
        apps.get_model("studios", "MentoringRule"),
        apps.get_model("studios", "EvaluationScheme"),
        apps.get_model("studios", "Criterion"),
    )


class Migration(migrations.Migration):
    dependencies = [("studios", "0001_studios")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
