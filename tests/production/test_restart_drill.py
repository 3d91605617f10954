"""Restart drill (issue 13 "Nothing lost"): PostgreSQL and Redis really stopped under load.

test_faults.py injects the error psycopg2 would raise; here the servers stop for real. The
drill (tests/production/drill.py) starts its own PostgreSQL (fsync on), Redis, the portal under
gunicorn with the production settings, a Celery worker and Celery beat; three cell secretaries file
meetings with attendance and four-goods months through the real forms while a standing-
committee member recognizes registrations, each recognition issuing a numbered decision
whose PDF is rendered through the outbox (registry/outbox.py, SCHEMES §5). Meanwhile:

1. PostgreSQL is stopped hard (`pg_ctl stop -m immediate`: no checkpoint, crash recovery at
   the next start) and started again two seconds later;
2. then Redis is stopped and started again while decisions keep being issued, one of them
   confirmed just after Redis stopped.

Afterwards every write the portal reported as saved (302 to the record) is in the database,
none is half written, decision numbers run 1..n, the outbox delivered every task and each
PDF exists once, the same gunicorn processes answer again, the same worker takes tasks again
(config/settings.py: what made it look stalled after a Redis restart), and every refused save
got the Vietnamese 503 page (config/middleware.py), never a 500.
"""

import json
import re
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from .drill import UNAVAILABLE_TEXT, Secretary, Stack, Standing, missing_tools, run_clients

pytestmark = pytest.mark.drill

DOWNTIME = 2.0  # seconds each server stays down
SETTLE = 3.0  # seconds of load before, between and after the outages
FIGURES_FILE = Path("/tmp/notes/readme_drill.md")


@pytest.fixture(scope="module")
def stack():
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    stack = Stack()
    try:
        stack.pg_init()
        stack.redis_start()
        stack.manage("migrate", "--noinput", "-v", "0", timeout=180)
        seeded = stack.python("-m", "tests.production.drill", "seed")
        stack.seeded = json.loads(seeded.strip().splitlines()[-1])
        stack.start_portal()
        yield stack
    finally:
        stack.stop()


class Drill:
    """What happened: the clients' attempts, the outage timestamps and the database afterwards."""

    def __init__(self, stack):
        self.stack = stack
        self.timeline = {}
        self.flushed = 0


def _days(count):
    first = date(2026, 1, 5)
    return [(first + timedelta(days=i)).isoformat() for i in range(count)]


def _months():
    return [(year, month) for year in (2025, 2024) for month in range(1, 13)]


@pytest.fixture(scope="module")
def drill(stack):
    base = stack.base_url
    seeded = stack.seeded
    secretaries = [Secretary(base, s["username"], s["cell"], _days(150), _months()) for s in seeded["secretaries"]]
    standing = Standing(base, seeded["standing"], seeded["registrations"][:-1])
    # A standing-committee member confirming a recognition while Redis is away (the last registration).
    midissue_pk = seeded["registrations"][-1]
    midissue = Standing(base, seeded["standing"], [])
    # A secretary mid-save: her form opened while PostgreSQL is up, sent while it is down (the
    # Vietnamese 503, nothing saved), and sent again once it is back (saved). Same login, own session.
    first = seeded["secretaries"][0]
    midsave = Secretary(base, first["username"], first["cell"], [], [])
    clients = [*secretaries, standing, midissue, midsave]
    logins = [threading.Thread(target=c.log_in) for c in clients]
    for thread in logins:
        thread.start()
    for thread in logins:
        thread.join()

    result = Drill(stack)
    result.clients = clients
    result.pids_before = stack.gunicorn_pids()
    stop = threading.Event()
    started = time.monotonic()
    threads = run_clients([c for c in clients if c not in (midsave, midissue)], stop)
    midissue_thread = threading.Thread(target=lambda: setattr(result, "midissue", midissue.recognize(midissue_pk)))
    try:
        time.sleep(SETTLE)
        midsave_day = "2026-08-03"  # not among the other secretaries' days
        midsave_form = midsave.meeting_form(midsave_day)
        assert midsave_form is not None, "the mid-save form did not open before the outage"
        result.timeline["pg_down"] = time.monotonic()
        stack.pg_crash()
        time.sleep(DOWNTIME / 2)
        result.midsave_refused = midsave.post_meeting(midsave_day, *midsave_form)
        time.sleep(DOWNTIME / 2)
        stack.pg_start()
        result.timeline["pg_up"] = time.monotonic()
        time.sleep(SETTLE)
        result.midsave_saved = midsave.post_meeting(midsave_day, *midsave_form)
        assert midissue.open(f"/recognition/r/{midissue_pk}/") is not None, "the mid-outage page did not open"
        result.timeline["redis_down"] = time.monotonic()
        stack.redis_stop()
        # Confirmed while Redis is away, in its own thread: the save waits for redis-py's retries.
        midissue_thread.start()
        time.sleep(DOWNTIME)
        stack.redis_start()
        result.timeline["redis_up"] = time.monotonic()
        time.sleep(SETTLE)
    finally:
        stop.set()
        for thread in [*threads, midissue_thread]:
            if thread.is_alive():
                thread.join(timeout=30)
    result.timeline["load_seconds"] = time.monotonic() - started
    result.unsent_after_load = stack.sql("SELECT count(*) FROM registry_pendingtask WHERE sent_at IS NULL")[0][0]

    # Celery beat's job (registry.flush_pending_tasks), run once by hand now that Redis is back.
    flushed = stack.manage("shell", "-c", "from registry import outbox; print(outbox.flush())")
    result.flushed = int(flushed.strip().splitlines()[-1])
    # A message delivered to the worker the instant Redis stopped comes back after the visibility
    # timeout (60 s) and the next restore sweep (10 s), config/settings.py: allow for that.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        waiting = stack.sql(
            "SELECT (SELECT count(*) FROM recognition_decision WHERE pdf = '')"
            " + (SELECT count(*) FROM registry_pendingtask WHERE sent_at IS NULL)"
        )[0][0]
        if not waiting:
            break
        time.sleep(0.3)
    result.settled_seconds = time.monotonic() - result.timeline["redis_up"]

    # The same sessions, after everything: answered by the gunicorn processes that lived through it.
    result.after = [c.session.get(f"{base}/meetings/", timeout=15).status_code for c in clients]
    result.pids_after = stack.gunicorn_pids()
    result.exited = {name: p.returncode for name, p in stack.processes.items() if p.poll() is not None}
    result.worker_log = stack.log_tail("celery", lines=100000)
    result.attempts = [a for c in clients for a in c.attempts]
    result.pages = [p for c in clients for p in c.pages]
    _report(result)
    return result


def _saved(drill, kind):
    return [a for a in drill.attempts if a.kind == kind and a.status == 302 and a.saved_pk is not None]


def _figures(drill):
    attempts = drill.attempts
    t = drill.timeline
    saved = [a for a in attempts if a.status == 302 and a.saved_pk is not None]
    after_pg = [a for a in saved if a.started >= t["pg_up"]]
    refused = [a for a in attempts if a.status == 503]
    return {
        "attempted": len(attempts),
        "saved": len(saved),
        "refused_503": len(refused),
        "other": Counter(a.status for a in attempts if a.status not in (302, 503)),
        "by_kind": Counter((a.kind, a.status) for a in attempts),
        "pages_503": sum(1 for status, _started in drill.pages if status == 503),
        "pg_downtime": t["pg_up"] - t["pg_down"],
        "pg_recovery": (min(a.ended for a in after_pg) - t["pg_up"]) if after_pg else None,
        "redis_downtime": t["redis_up"] - t["redis_down"],
        "midissue_seconds": (m.ended - m.started) if (m := getattr(drill, "midissue", None)) else None,
        "outbox_waiting": drill.unsent_after_load,
        "outbox_flushed": drill.flushed,
        "decisions": drill.stack.sql("SELECT count(*) FROM recognition_decision")[0][0],
        "load_seconds": t["load_seconds"],
        "settled_seconds": drill.settled_seconds,
        # recognition.resend_missing_pdfs (beat, every minute): renders it had to send again.
        "swept": sum(
            len(ids.split(","))
            for ids in re.findall(r"Decision PDFs sent again \(no PDF after [^)]*\): \[([^\]]*)\]", drill.worker_log)
        ),
    }


def _report(drill):
    f = _figures(drill)
    recovery = f"{f['pg_recovery']:.2f} s" if f["pg_recovery"] is not None else "never"
    midissue = f"{f['midissue_seconds']:.2f} s" if f["midissue_seconds"] is not None else "no answer"
    kinds = ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(f["by_kind"].items(), key=str))
    text = f"""## Restart drill (issue 13)

`tests/production/test_restart_drill.py` (marker `drill`, part of `scripts/test.sh`) starts its own
PostgreSQL (fsync on), Redis, the portal under gunicorn (production settings, 2 workers x 4 threads),
a Celery worker and Celery beat, then lets three cell secretaries file meetings with attendance and four-goods
months through the real forms while a standing-committee member issues numbered decisions. During
{f["load_seconds"]:.0f} s of load, PostgreSQL is stopped hard (`pg_ctl stop -m immediate`) and started
again, then Redis is stopped and started again. Figures of the last run:

| | |
|---|---|
| writes attempted | {f["attempted"]} |
| saved (302 to the record), all found in the database | {f["saved"]} |
| refused with the Vietnamese 503 page | {f["refused_503"]} (and {f["pages_503"]} form pages) |
| any other answer (500, connection error) | {sum(f["other"].values())} |
| PostgreSQL down (stop to accepting connections) | {f["pg_downtime"]:.2f} s |
| first save after PostgreSQL was back | {recovery} |
| Redis down | {f["redis_downtime"]:.2f} s |
| a recognition confirmed while Redis was away: saved (302), answered after | {midissue} |
| outbox tasks waiting for the broker, then delivered | {f["outbox_waiting"]} (flush sent {f["outbox_flushed"]}) |
| decisions issued, numbered 1..n, one PDF each | {f["decisions"]} |
| every PDF on disk and the outbox empty, after Redis was back | {f["settled_seconds"]:.1f} s |
| renders the beat sweep had to send again | {f["swept"]} |

Nothing half written (every meeting has its attendance, every decision its number and PDF), and the
same gunicorn processes answer afterwards: the database connection is checked before reuse
(`CONN_HEALTH_CHECKS`), and `config.middleware.DatabaseUnavailableMiddleware` turns a database error
into a 503 page, "Cơ sở dữ liệu tạm thời không trả lời", instead of a 500.

Per kind and status: {kinds}.
"""
    print("\n" + text)
    try:
        FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
        FIGURES_FILE.write_text(text)
    except OSError:
        pass


# --- the answers the users got -------------------------------------------------------------------


def test_the_drill_really_met_the_outage(drill):
    """Not a drill that saw nothing: some saves were refused while PostgreSQL was down, and saves
    of every kind succeeded before and after."""
    f = _figures(drill)
    assert f["refused_503"] >= 1, f
    for kind in ("meeting", "four_goods", "decision"):
        assert _saved(drill, kind), f"no {kind} saved: {f['by_kind']}"
    assert f["pg_recovery"] is not None, "no save succeeded after PostgreSQL came back"


def test_a_secretary_sending_her_form_while_postgresql_is_down_gets_the_503_and_can_send_it_again(drill):
    refused, saved = drill.midsave_refused, drill.midsave_saved
    tried = [(a.status, (a.body or "")[:200]) for a in drill.clients[-1].attempts]
    assert refused is not None and refused.status == 503, tried
    assert UNAVAILABLE_TEXT in refused.body
    assert saved is not None and saved.status == 302 and saved.saved_pk, saved and (saved.status, saved.body[:300])
    rows = drill.stack.sql(
        f"SELECT count(*) FROM evaluations_meeting WHERE date = '2026-08-03' AND cell_id = {drill.clients[-1].cell}"
    )
    assert rows[0][0] == 1, "the refused send wrote nothing; the second one wrote the meeting once"


def test_users_mid_save_got_the_vietnamese_503_page_never_a_500(drill):
    answers = Counter(a.status for a in drill.attempts)
    assert set(answers) <= {302, 503}, [
        (a.kind, a.status, a.body[:300]) for a in drill.attempts if a.status not in (302, 503)
    ]
    for attempt in drill.attempts:
        if attempt.status == 503:
            assert UNAVAILABLE_TEXT in attempt.body
    assert {status for status, _started in drill.pages} <= {200, 503}
    assert all(a.saved_pk is not None for a in drill.attempts if a.status == 302), (
        "a 302 to something else than the record"
    )


def test_the_worker_and_beat_lived_through_both_restarts(drill):
    """No process of the stack died (nothing would restart it: honcho in scripts/stack.sh stops
    everything when one process exits)."""
    assert drill.exited == {}, {name: (code, drill.stack.log_tail(name)) for name, code in drill.exited.items()}


def test_the_portal_answers_again_without_restarting_gunicorn(drill):
    assert drill.after == [200] * len(drill.after)
    assert drill.pids_after == drill.pids_before, "gunicorn's master and workers are the same processes"
    saved_after = [a for a in drill.attempts if a.status == 302 and a.started >= drill.timeline["redis_up"]]
    assert saved_after, "saves succeed again after both restarts"


# --- what the database holds -----------------------------------------------------------------------


def test_every_meeting_reported_saved_is_in_the_database_with_its_attendance(drill):
    sql = drill.stack.sql
    cells = {c.username: c.cell for c in drill.clients if isinstance(c, Secretary)}
    for client in drill.clients:
        if not isinstance(client, Secretary):
            continue
        for attempt in client.attempts:
            if attempt.kind != "meeting" or attempt.status != 302:
                continue
            rows = sql(
                "SELECT m.cell_id, m.date::text, count(a.id) FROM evaluations_meeting m"
                " LEFT JOIN evaluations_attendance a ON a.meeting_id = m.id WHERE m.id = %s GROUP BY m.id",
                [attempt.saved_pk],
            )
            assert rows == [(cells[client.username], attempt.key, attempt.expected["attendance"])], attempt


def test_every_four_goods_month_reported_saved_is_in_the_database(drill):
    sql = drill.stack.sql
    for client in drill.clients:
        if not isinstance(client, Secretary):
            continue
        for attempt in client.attempts:
            if attempt.kind != "four_goods" or attempt.status != 302:
                continue
            year, month = attempt.key
            rows = sql(
                "SELECT points FROM evaluations_fourgoodsassessment WHERE organization_id = %s AND year = %s AND month = %s",
                [client.cell, year, month],
            )
            assert len(rows) == 1, attempt
            assert {k: float(v) for k, v in rows[0][0].items()} == attempt.expected["points"]


def test_every_decision_reported_saved_is_numbered_and_printed(drill):
    sql = drill.stack.sql
    for attempt in _saved(drill, "decision"):
        rows = sql(
            "SELECT r.state, d.number, d.pdf FROM recognition_registration r"
            " JOIN recognition_decision d ON d.id = r.decision_id WHERE r.id = %s",
            [attempt.saved_pk],
        )
        assert len(rows) == 1, f"registration {attempt.saved_pk} reported recognized has no decision"
        state, number, pdf = rows[0]
        assert state == "recognized" and number >= 1 and pdf, rows


def test_nothing_is_half_written(drill):
    sql = drill.stack.sql
    # Every meeting holds the whole roll (the cells' members, none added or removed during the drill).
    meetings = sql(
        "SELECT m.id, count(a.id) FROM evaluations_meeting m"
        " LEFT JOIN evaluations_attendance a ON a.meeting_id = m.id GROUP BY m.id"
    )
    assert meetings and {count for _pk, count in meetings} == {4}, meetings
    # A recognition and its decision are one transaction: no recognized registration without a
    # decision, no decision without a registration, a number and a PDF (SCHEMES §5).
    assert sql("SELECT count(*) FROM recognition_registration WHERE state = 'recognized' AND decision_id IS NULL") == [
        (0,)
    ]
    orphans = sql(
        "SELECT d.id FROM recognition_decision d WHERE NOT EXISTS "
        "(SELECT 1 FROM recognition_registration r WHERE r.decision_id = d.id) OR d.pdf = '' OR d.number IS NULL"
    )
    assert orphans == []


def test_decision_numbers_have_no_gaps_and_no_duplicates(drill):
    rows = drill.stack.sql("SELECT issuer_id, year, number FROM recognition_decision ORDER BY 1, 2, 3")
    assert rows
    series = {}
    for issuer, year, number in rows:
        series.setdefault((issuer, year), []).append(number)
    for numbers in series.values():
        assert numbers == list(range(1, len(numbers) + 1))
    counters = drill.stack.sql("SELECT issuer_id, year, last_number FROM recognition_decisioncounter")
    assert {(i, y): n for i, y, n in counters} == {key: len(numbers) for key, numbers in series.items()}


def test_the_outbox_delivered_everything_and_no_pdf_was_made_twice(drill):
    sql = drill.stack.sql
    assert sql("SELECT count(*) FROM registry_pendingtask WHERE sent_at IS NULL") == [(0,)]
    decisions = sql("SELECT id, pdf FROM recognition_decision")
    # Every decision's render task was recorded with it (the outbox row is written in its transaction).
    tasks = sql("SELECT args FROM registry_pendingtask WHERE task_name = 'recognition.tasks.render_decision_pdf'")
    assert sorted(args[0] for (args,) in tasks) == sorted(pk for pk, _pdf in decisions)
    # Effects counted: each decision's PDF was rendered exactly once. Delivery is at least once (a
    # message taken but not started when Redis stopped comes back after the visibility timeout);
    # a second delivery finds the PDF and keeps it ("kept"), under the decision's row lock.
    rendered = Counter(
        int(m)
        for m in re.findall(r"render_decision_pdf\[[^\]]+\] succeeded in [^:]+: '(\d+) rendered'", drill.worker_log)
    )
    assert rendered == Counter(pk for pk, _pdf in decisions)
    on_disk = {p.relative_to(drill.stack.media).as_posix() for p in (drill.stack.media / "recognition").rglob("*.pdf")}
    assert on_disk == {pdf for _pk, pdf in decisions}, "one file per decision, none written twice"
    assert all((drill.stack.media / pdf).is_file() for _pk, pdf in decisions)
    assert len({pdf for _pk, pdf in decisions}) == len(decisions)


def test_redis_was_really_away_while_decisions_were_issued(drill):
    """The Redis outage is not a no-op: issued while it was down, some render tasks waited in the
    outbox and the flush delivered them (they then pass the checks above)."""
    t = drill.timeline
    midissue = getattr(drill, "midissue", None)
    assert midissue is not None and midissue.status == 302, midissue
    assert t["redis_down"] <= midissue.started <= t["redis_up"]
    # Its render task, and those of the others saved meanwhile, were sent when redis-py's retries
    # (a few seconds) reached Redis again, or waited in the outbox until the flush sent them; the
    # tests above find every PDF made.
    assert drill.flushed >= drill.unsent_after_load
