"""Every locked self-assessment becomes a MonthLock of its organization (issue 10, hole 8)."""

from django.db import migrations


def forwards(apps, schema_editor):
    FourGoodsAssessment = apps.get_model("evaluations", "FourGoodsAssessment")
    MonthLock = apps.get_model("evaluations", "MonthLock")
    existing = set(MonthLock.objects.filter(reopened_at__isnull=True).values_list("organization_id", "year", "month"))
    locks = []
    for a in FourGoodsAssessment.objects.filter(locked_at__isnull=False).iterator():
        key = (a.organization_id, a.year, a.month)
        if key in existing:
            continue
        existing.add(key)
        locks.append(
            MonthLock(
                organization_id=a.organization_id,
                year=a.year,
                month=a.month,
                locked_at=a.locked_at,
                locked_by_id=a.locked_by_id,
            )
        )
    MonthLock.objects.bulk_create(locks, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_history_and_month_locks")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
