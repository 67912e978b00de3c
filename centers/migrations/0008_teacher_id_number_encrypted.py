"""ID numbers encrypted at rest (issue 9): the column becomes Fernet ciphertext
and a keyed hash (HMAC-SHA256) takes over uniqueness and exact lookups.

Teachers are tens of thousands of rows, not millions: converted in one pass,
in batches of 1,000, inside the migration's transaction."""

from django.db import migrations, models

import centers.fields
import centers.validators


def encrypt_existing(apps, schema_editor):
    from centers.fields import encrypt, hash_id_number

    Teacher = apps.get_model("centers", "Teacher")
    db = schema_editor.connection.alias
    pks = list(Teacher.objects.using(db).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), 1000):
        rows = Teacher.objects.using(db).filter(pk__in=pks[start : start + 1000])
        for teacher in rows.only("pk", "id_number"):
            plain = teacher.id_number  # read back as is: no token yet
            Teacher.objects.using(db).filter(pk=teacher.pk).update(
                id_number=encrypt(plain), id_number_hash=hash_id_number(plain)
            )


def decrypt_all(apps, schema_editor):
    # the reverse keeps the ciphertext readable by the field; the plain column
    # of 0005 comes back through AlterField with the numbers decrypted below
    from centers.fields import decrypt

    Teacher = apps.get_model("centers", "Teacher")
    db = schema_editor.connection.alias
    for teacher in Teacher.objects.using(db).only("pk", "id_number"):
        Teacher.objects.using(db).filter(pk=teacher.pk).update(id_number=decrypt(teacher.id_number))


class Migration(migrations.Migration):
    dependencies = [("centers", "0007_correct_standard_rules")]

    operations = [
        migrations.AddField(
            model_name="teacher",
            name="id_number_hash",
            field=centers.fields.IdNumberHashField(
                editable=False, max_length=64, null=True, verbose_name="ID number hash"
            ),
        ),
        migrations.AlterField(
            model_name="teacher",
            name="id_number",
            field=centers.fields.EncryptedIdNumberField(
                validators=[centers.validators.validate_id_number], verbose_name="ID number"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_all),
        migrations.AlterField(
            model_name="teacher",
            name="id_number_hash",
            field=centers.fields.IdNumberHashField(
                editable=False, max_length=64, unique=True, verbose_name="ID number hash"
            ),
        ),
    ]
