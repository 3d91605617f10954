"""Seed the default plan parameters of SCHEMES §2.1 (meeting quality) and §3.2 (four-goods)."""

from django.db import migrations

SECTIONS = [
    ("preparation", "Công tác chuẩn bị", 15),
    ("attendance", "Duy trì sinh hoạt, tỷ lệ đảng viên dự họp", 20),
    ("conduct", "Tổ chức, điều hành sinh hoạt", 45),
    ("closing", "Kết thúc sinh hoạt, ban hành nghị quyết", 20),
]
CRITERIA = [
    {"code": "FG1", "title": "Hoàn thành tốt nhiệm vụ chính trị", "points": 25},
    {"code": "FG2", "title": "Chất lượng sinh hoạt tốt", "points": 25},
    {"code": "FG3", "title": "Đoàn kết, kỷ luật tốt", "points": 25},
    {"code": "FG4", "title": "Cán bộ, đảng viên tốt", "points": 25},
]


def seed(apps, schema_editor):
    Framework = apps.get_model("evaluations", "MeetingQualityFramework")
    Section = apps.get_model("evaluations", "FrameworkSection")
    FourGoods = apps.get_model("evaluations", "FourGoodsFramework")
    if not Framework.objects.filter(is_default=True).exists():
        framework = Framework.objects.create(
            name="Khung chấm điểm chất lượng sinh hoạt chi bộ (mặc định)",
            document="01-ĐA/ĐUK; HD 12-HD/BTCTW",
            is_default=True,
        )
        Section.objects.bulk_create(
            Section(framework=framework, code=code, title=title, points=points, order=i)
            for i, (code, title, points) in enumerate(SECTIONS)
        )
    if not FourGoods.objects.filter(is_default=True).exists():
        FourGoods.objects.create(
            name="Khung tiêu chí chi bộ bốn tốt, đảng bộ bốn tốt (mặc định)",
            document="39-KH/ĐU",
            is_default=True,
            criteria=CRITERIA,
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_monthly_work")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
