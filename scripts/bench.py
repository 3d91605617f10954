#!/usr/bin/env python
"""Benchmark of the criteria engines on a province-size dataset (not a test).

    .venv/bin/python scripts/bench.py                 # starts a throwaway PostgreSQL on 127.0.0.1:54339
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench.py --reuse   # an existing, migrated database

Builds (with COPY) 4,000 cells in 16 blocks of 250, 90,000 members, 5 years of ratings
(2020–2024), 3 years (2022–2024) of monthly meetings plus quarterly thematic ones with
attendance, attestations, mass organizations and four-goods months; then times:
  * the floor: SQL §1.1 G1 (rating history) for every cell as one hand-written aggregate;
  * the engine's G1 for every cell (loader + pure rule);
  * every scheme (model cell, meeting quality, four-goods, exemplary) for every cell;
  * the same for one block of 250 cells;
and counts the queries of each run.
"""

import argparse
import datetime
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CELLS, BLOCKS, MEMBERS = 4000, 16, 90_000
RATING_YEARS = range(2020, 2025)
MEETING_YEARS = range(2022, 2025)
YEAR = 2024


def start_postgres(port):
    """A throwaway cluster as in scripts/test.sh; returns (url, stop function)."""
    pg_bin = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")]
    )[-1]
    run_dir = Path(tempfile.mkdtemp(prefix="portal-bench."))
    run_dir.chmod(0o755)
    shutil.chown(run_dir, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_pg,
            f"{pg_bin}/initdb",
            "-D",
            f"{run_dir}/pg",
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {run_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c work_mem=64MB -c maintenance_work_mem=256MB"
    subprocess.run(
        [*as_pg, f"{pg_bin}/pg_ctl", "-D", f"{run_dir}/pg", "-l", f"{run_dir}/pg.log", "-w", "-o", options, "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([f"{pg_bin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "portal"], check=True)

    def stop():
        subprocess.run(
            [*as_pg, f"{pg_bin}/pg_ctl", "-D", f"{run_dir}/pg", "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL
        )
        shutil.rmtree(run_dir, ignore_errors=True)

    return f"postgres://postgres@127.0.0.1:{port}/portal", stop


def _encode(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(model, rows, columns, raw=False):
    """COPY rows (tuples in `columns` order) into the model's table; other NOT NULL columns get their defaults."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    extra = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname in columns:
            continue
        if field.attname in columns or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra.append((field.column, now))
        elif field.has_default():
            default = field.get_default()
            extra.append((field.column, default))
        else:
            extra.append((field.column, ""))
    names = [model._meta.get_field(c).column for c in columns] + [c for c, _v in extra]
    tail = "\t".join(_encode(v) for _c, v in extra)
    buffer = io.StringIO()
    suffix = ("\t" + tail if extra else "") + "\n"
    if raw:
        for row in rows:
            buffer.write("\t".join(row) + suffix)
    else:
        for row in rows:
            buffer.write("\t".join(_encode(v) for v in row) + suffix)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_from(buffer, model._meta.db_table, columns=names, null="\\N")


def build(seed=7):
    """The province: root > 16 blocks > (15 grassroots committees x 15 subordinate cells + 25 grassroots cells)."""
    from django.db import connection, transaction

    from criteria import demo
    from criteria.models import OrganizationYear
    from evaluations.models import Attendance, FourGoodsAssessment, Meeting
    from registry.models import (
        MassOrganization,
        Member,
        MemberAttestation,
        Membership,
        Organization,
        Rating,
        UnitAttestation,
    )

    rng = random.Random(seed)
    demo.populate()
    orgs, cells = [], []
    next_id = [0]

    def org(parent_path, kind, name, unit_type="admin"):
        next_id[0] += 1
        pk = next_id[0]
        path = f"{parent_path}{pk:08d}."
        orgs.append(
            (
                pk,
                None if not parent_path else int(parent_path.split(".")[-2]),
                path,
                path.count(".") - 1,
                kind,
                name,
                "",
                unit_type,
                "",
                rng.random() < 0.9,
            )
        )
        return pk, path

    _root, root_path = org("", "upper", "Tỉnh ủy")
    blocks = []
    types = ["admin", "service", "enterprise", "other"]
    per_block = CELLS // BLOCKS
    for b in range(BLOCKS):
        block_id, block_path = org(root_path, "upper", f"Đảng bộ Khối {b + 1}")
        blocks.append(block_id)
        for c in range(15):
            committee_id, committee_path = org(
                block_path, "gr_committee", f"Đảng bộ cơ sở {b + 1}.{c + 1}", rng.choice(types)
            )
            for s in range(15):
                cells.append(org(committee_path, "sub_cell", f"Chi bộ {b + 1}.{c + 1}.{s + 1}", rng.choice(types))[0])
        for g in range(per_block - 225):
            cells.append(org(block_path, "gr_cell", f"Chi bộ cơ sở {b + 1}.{g + 1}", rng.choice(types))[0])
    unit_type = {row[0]: row[7] for row in orgs}
    with transaction.atomic():
        with connection.cursor() as cursor:
            try:  # skip foreign-key triggers while loading (superuser only); the data is consistent by construction
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except Exception:
                pass
        copy_rows(
            Organization,
            orgs,
            [
                "id",
                "parent_id",
                "path",
                "depth",
                "kind",
                "name",
                "code",
                "unit_type",
                "place_name",
                "head_is_secretary",
            ],
        )
        # Members spread over the cells (22 or 23 each), on the roll since 2015.
        members, memberships, roll = [], [], {c: [] for c in cells}
        for m in range(1, MEMBERS + 1):
            cell = cells[(m - 1) % len(cells)]
            roll[cell].append(m)
            leader = len(roll[cell]) == 1
            members.append((m, f"Đảng viên {m}", "M", f"{m:010d}", leader, leader))
            memberships.append((m, m, cell, datetime.date(2015, 1, 1)))
        copy_rows(Member, members, ["id", "full_name", "gender", "card_number", "is_leader", "is_unit_head"])
        copy_rows(Membership, memberships, ["id", "member_id", "cell_id", "start_date"])
        levels = ["EXCELLENT", "GOOD", "GOOD", "GOOD", "PASS"]
        ratings = []
        rid = 0
        for c in cells:
            for y in RATING_YEARS:
                rid += 1
                ratings.append((rid, y, rng.choice(["EXCELLENT", "EXCELLENT", "GOOD", "GOOD", "PASS"]), c, None, None))
        for m in range(1, MEMBERS + 1):
            for y in RATING_YEARS:
                rid += 1
                ratings.append((rid, y, rng.choice(levels), None, m, None))
        mass, mid = [], 0
        for c in cells:
            for kind in ("union", "youth"):
                mid += 1
                mass.append((mid, c, kind, f"{kind} {c}"))
        copy_rows(MassOrganization, mass, ["id", "cell_id", "kind", "name"])
        for mo in range(1, mid + 1):
            for y in RATING_YEARS:
                rid += 1
                ratings.append((rid, y, rng.choice(["EXCELLENT", "GOOD"]), None, None, mo))
        copy_rows(Rating, ratings, ["id", "year", "level", "organization_id", "member_id", "mass_organization_id"])
        copy_rows(
            MemberAttestation,
            (
                (m, y, True, "good", True, True, True, True, True, True, rng.random() > 0.002)
                for m in range(1, MEMBERS + 1)
                for y in MEETING_YEARS
            ),
            [
                "member_id",
                "year",
                "uses_handbook",
                "good_example",
                "signed_commitment",
                "no_degradation",
                "cultural_family",
                "residence_exemplary",
                "dues_paid",
                "politically_steadfast",
                "four_good_examples",
            ],
        )
        codes = {
            "admin": ["A1", "A2", "A3", "A4"],
            "service": ["S1", "S2", "S3", "S4"],
            "enterprise": ["E1", "E2", "E3", "E4", "E5"],
            "other": [],
        }
        copy_rows(
            UnitAttestation,
            ((c, y, code, "met") for c in cells for y in MEETING_YEARS for code in codes[unit_type[c]]),
            ["organization_id", "year", "criterion", "status"],
        )
        copy_rows(
            OrganizationYear,
            ((c, y, 1, rng.choice([0, 1, 2]), True, True, True, True) for c in cells for y in MEETING_YEARS),
            [
                "organization_id",
                "year",
                "admission_target",
                "admitted_count",
                "unit_targets_met",
                "directive05_planned",
                "directive05_in_agenda",
                "initiatives_commended",
            ],
        )
        copy_rows(
            FourGoodsAssessment,
            (
                (c, y, mo, {}, {}, s, s >= 90)
                for c in cells
                for y in MEETING_YEARS
                for mo in range(1, 13)
                for s in [rng.choice([85, 92, 95, 98])]
            ),
            ["organization_id", "year", "month", "points", "achieved", "score", "passed"],
        )
        # Meetings with attendance: about 4% absent (a few without reason).
        meetings, attendance, meeting_id = [], [], 0
        for c in cells:
            people = roll[c]
            for y in MEETING_YEARS:
                for month in range(1, 13):
                    days = [(5, "regular")] + ([(20, "thematic")] if month % 3 == 0 else [])
                    for day, kind in days:
                        meeting_id += 1
                        present = excused = unexcused = speakers = 0
                        mid = str(meeting_id)
                        for m in people:
                            dice = rng.random()
                            if dice > 0.04:
                                present += 1
                                spoke = dice > 0.75
                                speakers += spoke
                                attendance.append((mid, str(m), "present", "t" if spoke else "f"))
                            elif dice < 0.0005:
                                unexcused += 1
                                attendance.append((mid, str(m), "unexcused", "f"))
                            else:
                                excused += 1
                                attendance.append((mid, str(m), "excused", "f"))
                        level = rng.choice(["good", "good", "good", "fair"]) if kind == "regular" else ""
                        meetings.append(
                            (
                                meeting_id,
                                c,
                                datetime.date(y, month, day),
                                kind,
                                len(people),
                                present,
                                excused,
                                unexcused,
                                round(100 * present / len(people), 2),
                                speakers,
                                5,
                                level,
                                92,
                            )
                        )
        copy_rows(
            Meeting,
            meetings,
            [
                "id",
                "cell_id",
                "date",
                "kind",
                "roll_size",
                "present_count",
                "excused_count",
                "unexcused_count",
                "attendance_rate",
                "speakers_count",
                "required_speakers",
                "quality_level",
                "self_score",
            ],
        )
        copy_rows(Attendance, attendance, ["meeting_id", "member_id", "status", "spoke"], raw=True)
        with connection.cursor() as cursor:
            for model in (Organization, Member, Membership, Rating, MassOrganization, Meeting):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        # What autovacuum would do after the load, done now: otherwise it runs during the timings
        # (4.3M new attendance rows), and index-only scans need the visibility map it sets.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")  # write the load's dirty pages now, not during the timings
    return {
        "cells": len(cells),
        "members": MEMBERS,
        "meetings": meeting_id,
        "attendance": len(attendance),
        "ratings": rid,
        "blocks": blocks,
    }


G1_SQL = """
SELECT o.id,
       count(r.id) = w.years
       AND bool_and(r.level IN ('GOOD', 'EXCELLENT'))
       AND sum(CASE WHEN r.level = 'EXCELLENT' THEN 1 ELSE 0 END) >= w.min_excellent AS eligible
FROM registry_organization o
JOIN (VALUES ('gr_cell', 5, 3), ('sub_cell', 3, 2)) AS w(kind, years, min_excellent) ON w.kind = o.kind
LEFT JOIN registry_rating r ON r.organization_id = o.id AND r.year BETWEEN %s - w.years + 1 AND %s
WHERE o.path LIKE %s
GROUP BY o.id, w.years, w.min_excellent
"""


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(label, func, repeat=3):
    """Best and median of `repeat` runs (wall clock; best CPU time of this process, which
    leaves out PostgreSQL's), with the query count of the last run (every connection's)."""
    from django.db import connection

    walls, cpus, result, counter = [], [], None, None
    for _ in range(repeat):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            result = None  # every run starts from the same heap, not with the last run's results alive
            start, cpu = time.perf_counter(), time.process_time()
            result = func()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    best, median = min(walls), statistics.median(walls)
    print(
        f"  {label:<50} best {best:7.3f} s  median {median:7.3f} s  cpu {min(cpus):7.3f} s  {counter.count:3d} queries"
    )
    return best, median, result, counter.count


def compare(floor, engine_g1, pairs):
    """Time `floor` and `engine_g1` in alternation; (bests, medians, results, per-pair ratios)."""
    floor_times, engine_times, floor_result, engine_result = [], [], None, None
    for _ in range(pairs):
        floor_result = engine_result = None
        start = time.perf_counter()
        floor_result = floor()
        floor_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine_result = engine_g1()
        engine_times.append(time.perf_counter() - start)
    ratios = [e / f for e, f in zip(engine_times, floor_times, strict=True)]
    return (
        min(floor_times),
        statistics.median(floor_times),
        floor_result,
        min(engine_times),
        statistics.median(engine_times),
        engine_result,
        ratios,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="the database already holds the dataset")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PG_PORT", 54339)))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages-only", action="store_true", help="with --reuse: only the stored verdicts and pages")
    args = parser.parse_args()
    stop = None
    if not os.environ.get("DATABASE_URL"):
        url, stop = start_postgres(args.port)
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor != "postgresql":
            sys.exit("bench.py needs PostgreSQL (DATABASE_URL)")
        call_command("migrate", verbosity=0)
        from registry.models import CELL_KINDS, Organization

        if args.reuse and args.pages_only:
            root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
            pages(root, Organization.objects.filter(parent=root).order_by("pk").first(), args.repeat)
            return
        if args.reuse:
            run(args.repeat, Organization, CELL_KINDS)
            return
        start = time.perf_counter()
        stats = build()
        print(
            f"built {stats['cells']} cells, {stats['members']} members, {stats['ratings']} ratings, "
            f"{stats['meetings']} meetings, {stats['attendance']} attendance rows in {time.perf_counter() - start:.1f} s"
        )
        connection.close()
        # Timed in a fresh process: the build leaves this one with a heap of millions of freed
        # objects, which made every later allocation (and so every timing) slower.
        subprocess.run(
            [sys.executable, __file__, "--reuse", "--repeat", str(args.repeat)], check=True, env=os.environ.copy()
        )
    finally:
        if stop:
            stop()


def run(repeat, Organization, CELL_KINDS):
    from django.db import connection

    from criteria import engine
    from criteria.i18n import activate_cache
    from criteria.loader import Needs, batch_work, load, paused_gc
    from criteria.models import Scheme
    from criteria.rules import model_cell

    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    block = Organization.objects.filter(parent=root).order_by("pk").first()
    params = engine.resolve_plan(Scheme.MODEL_CELL).params
    print(
        f"load average before timing: {os.getloadavg()[0]:.2f} (2 cores; other work on the machine inflates wall times)"
    )
    print(f"\nprovince: {Organization.objects.filter(kind__in=CELL_KINDS).count()} cells; block: {block.name}")

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(G1_SQL, [YEAR, YEAR, root.path + "%"])
            return dict(cursor.fetchall())

    def g1_verdicts():
        activate_cache()
        cells = Organization.objects.filter(path__startswith=root.path, kind__in=CELL_KINDS)
        facts = load(cells, (YEAR - 4, YEAR), (YEAR, YEAR), Needs(org_ratings=True))
        return {pk: model_cell.g1_rating_history(org, YEAR, params).status == "met" for pk, org in facts.items()}

    def engine_g1():
        # Batch work, as engine.evaluate_all in a rebuild: the facts are freed before the collector resumes.
        with batch_work(), paused_gc():
            return g1_verdicts()

    def every_scheme(under):
        def go():
            cells = Organization.objects.filter(path__startswith=under.path, kind__in=CELL_KINDS)
            with batch_work():  # what a rebuild of the stored verdicts does; pages never do (criteria.loader)
                return engine.evaluate_all(cells, YEAR)

        return go

    # The G1 runs last tens of milliseconds, where this machine's noise is of the same order:
    # the floor and the engine are timed in alternation, so that each pair meets the same
    # conditions, and compared pair by pair (the median of the ratios) as well as best to best.
    pairs = max(repeat, 21)
    print(f"timings (G1: {pairs} alternating pairs; province and block: {repeat} runs each):")
    floor_best, floor_median, floor_result, g1_best, g1_median, g1_result, ratios = compare(floor, engine_g1, pairs)
    assert floor_result == g1_result, "the engine and the SQL floor disagree on G1"
    print(
        f"  {'G1 floor: one hand-written SQL aggregate, province':<50} best {floor_best:7.3f} s  median {floor_median:7.3f} s"
    )
    print(f"  {'G1 through the engine (loader + rule), province':<50} best {g1_best:7.3f} s  median {g1_median:7.3f} s")
    all_time, _median, results, _n = timed("every scheme, every cell, province", every_scheme(root), repeat)
    eligible = {scheme: sum(r.eligible for r in rs.values()) for scheme, rs in results.items()}
    del results  # the block is timed without the province's results in memory
    block_time, _median, block_results, _n = timed(
        "every scheme, every cell, block of 250", every_scheme(block), repeat
    )
    print(
        f"\nG1 engine / floor: {statistics.median(ratios):.2f}x median of the pairs' ratios, "
        f"{g1_best / floor_best:.2f}x best to best (target <= 3x); G1 eligible cells: {sum(g1_result.values())}"
    )
    print(
        f"province, every scheme: {all_time:.2f} s (target < 10 s); block of {len(next(iter(block_results.values())))} cells: {block_time:.3f} s (target < 1 s)"
    )
    print(f"eligible cells per scheme: {eligible}")
    pages(root, block, repeat)


PAGES = {
    "dashboard (5-year trends, committees compared)": "/tieu-chi/chi-tieu/?org={org}&year={year}",
    "indicator drill-down (model cells)": "/tieu-chi/chi-tieu/model_cells/?org={org}&year={year}",
    "ranking (model cell, page 1 of 50)": "/tieu-chi/xep-hang/?org={org}&scheme=model_cell&year={year}",
    "ranking (four-goods, near misses)": "/tieu-chi/xep-hang/?org={org}&scheme=four_goods&year={year}&filter=near_miss",
    "organization tree (one level)": "/to-chuc/?org={org}",
    "recognition lists": "/recognition/lists/?year={year}",
    "home (standing committee)": "/",
}


def pages(root, block, repeat):
    """The pages that show many subjects, as the standing committee of the province and of one
    block opens them (issue 12): stored verdicts first (rebuilt here, as after a deployment),
    then each page timed through Django's test client, best of `repeat` after one warm-up."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from criteria import verdicts
    from criteria.models import Scheme, Verdict
    from registry.models import Appointment, Rating

    setup_test_environment()  # the test client's response.context, and ALLOWED_HOSTS=testserver
    started = time.perf_counter()
    stored = verdicts.rebuild(root, range(YEAR - 4, YEAR + 1))
    print(f"\nstored verdicts rebuilt for 5 years: {stored} rows in {time.perf_counter() - started:.1f} s")
    User = get_user_model()
    clients = {}
    for label, org in (("province", root), ("block", block)):
        user, _created = User.objects.get_or_create(username=f"bench-standing-{label}")
        Appointment.objects.get_or_create(user=user, organization=org, role="standing")
        client = Client()
        client.force_login(user)
        clients[label] = (client, org)
    print(
        "pages (best of runs after a warm-up; 'first': nothing cached, as after a deployment; 'after a write':"
        " a cell's facts changed just before, its recomputation left to the worker as on the production"
        " stack; 'warm': nothing changed since the last view; queries of the last 'after a write' run):"
    )
    from unittest import mock

    from criteria.tasks import refresh_figures

    written = Verdict.objects.filter(scheme=Scheme.MODEL_CELL, year=YEAR).order_by("organization_id")
    written = written.values_list("organization_id", flat=True).first()
    worst = 0.0
    for name, pattern in PAGES.items():
        figures = {}
        for label, (client, org) in clients.items():
            url = pattern.format(org=org.pk, year=YEAR)
            assert client.get(url).status_code == 200, url
            first, after_write, warm, counter = [], [], [], None
            for _ in range(repeat):
                cache.clear()
                start = time.perf_counter()
                client.get(url)
                first.append(time.perf_counter() - start)
                verdicts.mark_stale(organization_ids=[written], year=YEAR)  # refreshed after its commit
                with mock.patch.object(refresh_figures, "delay"):  # the worker's job, not the page's
                    counter = QueryCounter()
                    with connection.execute_wrapper(counter):
                        start = time.perf_counter()
                        response = client.get(url)
                        after_write.append(time.perf_counter() - start)
                assert response.status_code == 200, url
                start = time.perf_counter()
                client.get(url)
                warm.append(time.perf_counter() - start)
            figures[label] = (min(first), min(after_write), min(warm), counter.count)
        (p_first, province, p_warm, pq), (b_first, one_block, b_warm, bq) = figures["province"], figures["block"]
        ratio = province / one_block if one_block else float("inf")
        worst = max(worst, province)
        print(
            f"  {name:<44} province {province:6.3f} s {pq:3d} q (first {p_first:5.3f}, warm {p_warm:5.3f})   "
            f"block {one_block:6.3f} s {bq:3d} q (first {b_first:5.3f}, warm {b_warm:5.3f})   "
            f"ratio {ratio:4.2f}x (target <= 2x, < 0.5 s)"
        )
    # One cell's verdicts after a write: the refresh runs after the commit (in-process here, Celery
    # eager; a worker on the production stack), so the write's return is when they are fresh again.
    cell = Verdict.objects.filter(scheme=Scheme.MODEL_CELL, year=YEAR).order_by("organization_id").first().organization
    rating = Rating.objects.filter(organization=cell, year=YEAR).first() or Rating(organization=cell, year=YEAR)
    rating.level = "EXCELLENT" if rating.level != "EXCELLENT" else "GOOD"
    start = time.perf_counter()
    with transaction.atomic():
        rating.save()
    fresh = time.perf_counter() - start
    stale = Verdict.objects.filter(organization=cell, stale_since__isnull=False).count()
    print(f"  a cell's rating written -> its verdicts fresh again: {fresh:.3f} s (target < 1 s); still stale: {stale}")
    print(f"slowest province page: {worst:.3f} s")


if __name__ == "__main__":
    main()
