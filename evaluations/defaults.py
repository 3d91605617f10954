"""Default plan parameters (SCHEMES §2.1, §3.2), also used when a flushed test database lost the seed."""

from django.db import transaction

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


@transaction.atomic
def ensure_default_frameworks():
    from .models import FourGoodsFramework, FrameworkSection, MeetingQualityFramework

    meeting = MeetingQualityFramework.objects.filter(is_default=True, organization=None).first()
    if meeting is None:
        meeting = MeetingQualityFramework.objects.create(
            name="Khung chấm điểm chất lượng sinh hoạt chi bộ (mặc định)",
            document="01-ĐA/ĐUK; HD 12-HD/BTCTW",
            is_default=True,
        )
        FrameworkSection.objects.bulk_create(
            FrameworkSection(framework=meeting, code=code, title=title, points=points, order=i)
            for i, (code, title, points) in enumerate(SECTIONS)
        )
    four = FourGoodsFramework.objects.filter(is_default=True, organization=None).first()
    if four is None:
        four = FourGoodsFramework.objects.create(
            name="Khung tiêu chí chi bộ bốn tốt, đảng bộ bốn tốt (mặc định)",
            document="39-KH/ĐU",
            is_default=True,
            criteria=CRITERIA,
        )
    return meeting, four
