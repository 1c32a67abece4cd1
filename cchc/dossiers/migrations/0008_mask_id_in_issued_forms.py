"""Issued forms no longer carry the whole personal ID number (issue 15, finding 4): the copies
frozen in `IssuedForm.data` before are masked like new ones."""

from django.db import migrations


def mask(apps, schema_editor):
    IssuedForm = apps.get_model("dossiers", "IssuedForm")
    for form in IssuedForm.objects.select_related("dossier").iterator(chunk_size=2000):
        value = form.data.get("id_number", "")
        if value and value == form.dossier.id_number and len(value) > 3:
            form.data["id_number"] = "•" * (len(value) - 3) + value[-3:]
            form.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_correction")]
    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
