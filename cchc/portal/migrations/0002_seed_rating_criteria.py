"""A short rating set from the contents of Decree 118/2025 art. 33 (R-RATE-118); the
administrator edits it (feedback handling and the online service are rated where they apply,
so they are not seeded as mandatory questions)."""

from django.db import migrations

CRITERIA = [
    ("thoi-gian", "Thời gian giải quyết, trả kết quả"),
    ("so-co-quan", "Số cơ quan, đơn vị phải liên hệ"),
    ("so-lan-di-lai", "Số lần phải đi lại để bổ sung, hoàn thiện hồ sơ"),
    ("cong-khai", "Tính chính xác, đầy đủ của thủ tục được công khai"),
    ("thai-do", "Thái độ, tinh thần phục vụ của cán bộ, công chức"),
    ("ket-qua-chi-phi", "Kết quả đúng quy định; chi phí đúng quy định, không phát sinh thêm"),
]


def seed(apps, schema_editor):
    RatingCriterion = apps.get_model("portal", "RatingCriterion")
    for order, (code, text) in enumerate(CRITERIA, start=1):
        RatingCriterion.objects.get_or_create(code=code, defaults={"text": text, "order": order})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
