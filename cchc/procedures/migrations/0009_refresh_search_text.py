"""The catalog's search text gains the abbreviations of the phrases it spells out ("gpxd" for
"giấy phép xây dựng"): refreshed once for the versions already stored."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cchc.core.text import search_text

    Version = apps.get_model("procedures", "ProcedureVersion")
    for version in Version.objects.select_related("procedure").iterator():
        text = search_text(f"{version.procedure.code} {version.name}")
        if text != version.search_text:
            Version.objects.filter(pk=version.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0008_search_trigram")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
