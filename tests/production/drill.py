"""The restart drill's machinery (issue 13 "Nothing lost"): real servers, real clients.

`Stack` starts, in a temporary folder and on loopback only, a PostgreSQL cluster of its
own (initdb, fsync ON: the drill tests durability), a Redis, the portal under gunicorn with
the production settings (DEBUG off), a Celery worker and Celery beat (the Procfile's three
processes); it migrates and seeds the database
through subprocesses (`python -m tests.production.drill seed`) and stops every process it
started, by PID, in `stop()`.

`Client` is one person at a browser: it logs in, opens a form, posts it with its CSRF token
and records what the portal answered (`Attempt`): 302 to the saved record, 503 with the
Vietnamese page, or anything else. The test (test_restart_drill.py) compares these answers
with what the database holds afterwards.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "diễn-tập@2026"
UNAVAILABLE_TEXT = "Cơ sở dữ liệu tạm thời không trả lời"
MEMBERS_PER_CELL = 4


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin():
    """The newest PostgreSQL's binaries, as scripts/test.sh picks them; None when absent."""
    base = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in base.glob("*/bin") if (p / "initdb").exists()), key=lambda p: int(p.parent.name.split(".")[0])
    )
    return versions[-1] if versions else None


def missing_tools():
    """Why the drill cannot run here, or None."""
    if pg_bin() is None:
        return "PostgreSQL binaries not found under /usr/lib/postgresql"
    if shutil.which("redis-server") is None:
        return "redis-server is not on PATH"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "initdb needs `runuser -u postgres` (run as root, as scripts/test.sh does)"
    return None


class Stack:
    """Every server of the drill; ports from DRILL_PG_PORT / DRILL_REDIS_PORT / DRILL_APP_PORT or free ones."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="portal-drill-"))
        os.chmod(self.dir, 0o755)
        self.pg_bin = pg_bin()
        self.pg_data = self.dir / "pg"
        self.pg_port = int(os.environ.get("DRILL_PG_PORT") or free_port())
        self.redis_port = int(os.environ.get("DRILL_REDIS_PORT") or free_port())
        self.app_port = int(os.environ.get("DRILL_APP_PORT") or free_port())
        self.media = self.dir / "media"
        self.redis_pidfile = self.dir / "redis.pid"
        self.processes = {}  # name -> Popen (gunicorn, celery, beat)
        self.logs = {}
        self.base_url = f"http://127.0.0.1:{self.app_port}"
        self.dsn = f"postgres://postgres@127.0.0.1:{self.pg_port}/portal"

    # --- environment of every portal process -----------------------------------------------------

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CELERY_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings_production",
            SECRET_KEY="drill-" + "x" * 60,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=self.dsn,
            DB_CONN_MAX_AGE="60",  # as scripts/stack.sh: kept connections, which must survive the restart
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            MEDIA_ROOT=str(self.media),
            CELERY_TASK_ALWAYS_EAGER="0",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            DEBUG="0",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        return env

    def python(self, *args, timeout=120):
        """Run the venv's Python in the portal's environment; its stdout, or an error with its stderr."""
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
        return done.stdout

    def manage(self, *args, timeout=120):
        return self.python("manage.py", *args, timeout=timeout)

    # --- PostgreSQL ------------------------------------------------------------------------------

    def _pg(self, *args, check=True, timeout=60):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=check, capture_output=True, text=True, timeout=timeout
        )

    def pg_init(self):
        shutil.chown(self.dir, user="postgres")
        self._pg(
            str(self.pg_bin / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        self.pg_start()
        self._pg(str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "portal")

    def pg_start(self):
        # fsync, synchronous_commit and full_page_writes stay at their (durable) defaults.
        options = f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._pg(
            str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-l", str(self.dir / "pg.log"), "-w", "-t", "30",
            "-o", options, "start",
        )  # fmt: skip

    def pg_crash(self):
        """Stop PostgreSQL hard: `pg_ctl stop -m immediate` (SIGQUIT, no checkpoint; crash recovery at start).

        kill -9 of the postmaster alone would leave its backends holding the shared memory, and
        the new postmaster would refuse to start until they die; immediate mode is the hard stop
        that lets the drill start it again right away."""
        self._pg(str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "-w", "stop")

    def pg_stop(self):
        if (self.pg_data / "postmaster.pid").exists():
            self._pg(str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "-w", "stop", check=False)

    def sql(self, query, params=()):
        import psycopg2

        with psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="postgres", dbname="portal") as conn:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                rows = cursor.fetchall() if cursor.description else []
        conn.close()
        return rows

    # --- Redis -----------------------------------------------------------------------------------

    def redis_start(self):
        # The production stack's flags (scripts/stack.sh): the append-only file keeps queued tasks
        # across a restart (without it, a task queued when Redis stops is lost).
        subprocess.run(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--daemonize", "yes",
             "--pidfile", str(self.redis_pidfile), "--dir", str(self.dir), "--save", "",
             "--appendonly", "yes", "--appendfsync", "everysec"],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if self.redis_ping():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def redis_stop(self):
        if not self.redis_pidfile.exists():
            return
        pid = int(self.redis_pidfile.read_text().strip())
        _kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        else:
            _kill(pid, signal.SIGKILL)
        self.redis_pidfile.unlink(missing_ok=True)

    def redis_ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    # --- the portal ------------------------------------------------------------------------------

    def _spawn(self, name, argv):
        log = open(self.dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_portal(self):
        bindir = Path(sys.executable).parent
        # Procfile's web command, smaller: two workers of four threads, loopback only.
        self._spawn(
            "gunicorn",
            [str(bindir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{self.app_port}",
             "--workers", "2", "--threads", "4", "--worker-class", "gthread", "--timeout", "30",
             "--graceful-timeout", "5", "--access-logfile", str(self.dir / "access.log")],
        )  # fmt: skip
        # Procfile's worker command.
        self._spawn(
            "celery",
            [str(bindir / "celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
        )  # fmt: skip
        # Procfile's beat command: the outbox flush and the sweep of decisions without a PDF, every
        # minute (config/settings.py CELERY_BEAT_SCHEDULE), as on a server.
        self._spawn(
            "beat",
            [str(bindir / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
             "--schedule", str(self.dir / "celerybeat-schedule")],
        )  # fmt: skip
        deadline = time.monotonic() + 30
        import requests

        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_tail("gunicorn"))
            try:
                if requests.get(f"{self.base_url}/accounts/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("the portal did not answer:\n" + self.log_tail("gunicorn"))

    def gunicorn_pids(self):
        """The gunicorn master and its worker PIDs (from /proc), to show no process was restarted."""
        master = self.processes["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        workers = sorted(int(p) for p in children.read_text().split()) if children.exists() else []
        return master, workers

    def log_tail(self, name, lines=40):
        path = self.dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        """Kill every process the drill started, by PID (its process group), then remove the folder."""
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes.values():
            try:
                process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        for log in self.logs.values():
            log.close()
        self.redis_stop()
        self.pg_stop()
        if os.environ.get("DRILL_KEEP"):  # for a post-mortem: the logs and the data folder stay
            print(f"drill folder kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the people at their browsers ---------------------------------------------------------------


@dataclass
class Attempt:
    kind: str  # "meeting", "four_goods", "decision"
    key: object  # what was posted: the meeting's date, (year, month), the registration's pk
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    location: str = ""
    saved_pk: int | None = None  # the record the 302 pointed to
    expected: dict = field(default_factory=dict)  # what the database must hold for it
    body: str = ""


class FormFields(HTMLParser):
    """The fields of a page's POST forms as a browser would send them untouched (see loadtest/locustfile.py)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._fields = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        if self._fields is None or not attrs.get("name"):
            return
        name = attrs["name"]
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self._fields[name] = attrs.get("value", "on")
        elif tag == "input" and kind not in ("submit", "button", "file", "image", "reset"):
            self._fields[name] = attrs.get("value") or ""
        elif tag in ("select", "textarea"):
            self._fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None


def page_form(html, names=None):
    """The page's first POST form (not the log-out form) with its field names; `names` every input name seen."""
    parser = FormFields()
    parser.feed(html)
    for action, fields in parser.forms:
        if "logout" not in action:
            return fields
    return {}


class Client:
    """One signed-in person: a requests session with its CSRF cookie; every answer to a save is recorded."""

    def __init__(self, base_url, username):
        import requests

        self.base_url = base_url
        self.username = username
        self.session = requests.Session()
        self.attempts = []
        self.pages = []  # (status, started) of the GETs that opened a form

    def log_in(self):
        self.session.get(f"{self.base_url}/accounts/login/", timeout=15)
        response = self.session.post(
            f"{self.base_url}/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            allow_redirects=False,
            timeout=15,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")

    def csrf(self):
        return self.session.cookies.get("csrftoken", "")

    def open(self, path):
        """GET a form page; its HTML, or None when the portal did not serve it (recorded)."""
        import requests

        started = time.monotonic()
        try:
            response = self.session.get(f"{self.base_url}{path}", timeout=15)
        except requests.RequestException:
            self.pages.append((None, started))
            return None
        self.pages.append((response.status_code, started))
        return response.text if response.status_code == 200 else None

    def post(self, kind, key, path, fields, expected, record_pattern):
        import requests

        fields = {**fields, "csrfmiddlewaretoken": self.csrf()}
        started = time.monotonic()
        try:
            response = self.session.post(f"{self.base_url}{path}", fields, allow_redirects=False, timeout=15)
        except requests.RequestException as error:
            self.attempts.append(Attempt(kind, key, started, time.monotonic(), None, body=str(error)))
            return None
        attempt = Attempt(kind, key, started, time.monotonic(), response.status_code, expected=expected)
        if response.status_code == 302:
            attempt.location = response.headers.get("Location", "")
            match = re.fullmatch(record_pattern, attempt.location)
            if match:
                attempt.saved_pk = int(match.group(1)) if match.groups() else 0
        else:
            attempt.body = response.text
        self.attempts.append(attempt)
        return attempt


class Secretary(Client):
    """Files the cell's meetings through /meetings/cell/<pk>/new/ and its four-goods months, in turn."""

    def __init__(self, base_url, username, cell, days, months):
        super().__init__(base_url, username)
        self.cell = cell
        self.days = list(days)
        self.months = list(months)

    def step(self, turn):
        if turn % 2 == 0 and self.days:
            self.file_meeting(self.days.pop(0))
        elif self.months:
            self.file_four_goods(*self.months.pop(0))

    def file_meeting(self, day):
        form = self.meeting_form(day)
        if form is not None:
            self.post_meeting(day, *form)

    def meeting_form(self, day):
        """Open the new-meeting form of `day` and fill it in; (path, fields, members) or None."""
        path = f"/meetings/cell/{self.cell}/new/"
        html = self.open(f"{path}?date={day}")
        if html is None:
            return None
        fields = page_form(html)
        members = sorted(int(name[4:]) for name in fields if name.startswith("att-") and name[4:].isdigit())
        members = members or sorted({int(m) for m in re.findall(r'name="att-(\d+)"', html)})
        fields.update(date=day, start_time="14:00", end_time="16:00", kind="regular", votes_for=str(len(members)))
        fields.update({f"att-{pk}": "present" for pk in members})
        fields.update({f"spoke-{pk}": "on" for pk in members[:2]})
        fields.update(section_preparation="14", section_attendance="19", section_conduct="42", section_closing="18")
        fields.pop("recompute", None)
        return path, fields, members

    def post_meeting(self, day, path, fields, members):
        return self.post("meeting", day, path, fields, {"attendance": len(members)}, r"/meetings/(\d+)/")

    def file_four_goods(self, year, month):
        path = f"/four-goods/{self.cell}/{year}/{month}/"
        html = self.open(path)
        if html is None:
            return
        fields = page_form(html)
        points = {"FG1": 25, "FG2": 24, "FG3": 23, "FG4": 22}
        fields.pop("action", None)
        fields.update({f"points_{code}": str(value) for code, value in points.items()})
        fields.update({f"achieved_{code}": "on" for code in points})
        fields.update(votes_for=str(MEMBERS_PER_CELL), votes_against="0")
        self.post("four_goods", (year, month), path, fields, {"points": points}, re.escape(path))


class Standing(Client):
    """A standing-committee member recognizing registrations one by one: each issues a numbered decision."""

    def __init__(self, base_url, username, registrations):
        super().__init__(base_url, username)
        self.registrations = list(registrations)

    def step(self, turn):
        if not self.registrations:
            return
        pk = self.registrations[0]
        if self.open(f"/recognition/r/{pk}/") is None:
            return  # the page did not open: the same registration again at the next step
        self.registrations.pop(0)
        self.recognize(pk)

    def recognize(self, pk):
        """Confirm the recognition of registration `pk` (its page opened before); the Attempt."""
        # Confirmed after the preview, with the reason the drill's fact-less cells need (issue 12).
        fields = {
            "action": "recognize",
            "comment": "Đủ điều kiện công nhận",
            "confirm_decision": "on",
            "override_reason": "Ban Thường vụ đã đối chiếu hồ sơ minh chứng và thống nhất công nhận.",
        }
        path = f"/recognition/r/{pk}/action/"
        return self.post("decision", pk, path, fields, {}, rf"/recognition/r/({pk})/")


def run_clients(clients, stop, pause=0.05):
    """One thread per client, each stepping until `stop` is set; returns the threads (joined by the caller)."""

    def loop(client):
        turn = 0
        while not stop.is_set():
            try:
                client.step(turn)
            except Exception as error:  # a client bug must not kill the drill silently
                client.attempts.append(
                    Attempt("client-error", turn, time.monotonic(), time.monotonic(), None, body=repr(error))
                )
            turn += 1
            time.sleep(pause)

    threads = [threading.Thread(target=loop, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    return threads


# --- seeding, run in a subprocess against the drill's database ------------------------------------


def seed():
    """A small block: three cells with secretaries and members, twenty-four more cells, a standing-committee
    member, and four-goods registrations appraised by the board, waiting for the standing committee."""
    import django

    django.setup()
    from criteria.models import Scheme
    from recognition import services as recognition
    from recognition.models import State
    from registry.models import OrganizationKind, Role
    from tests.evaluations.factories import members_on
    from tests.factories import BlockFactory, OrganizationFactory, UserFactory, appoint
    from tests.recognition.conftest import advance, make_plan

    def user(name, org, role):
        person = appoint(UserFactory(username=name), org, role)
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
        return person

    block = BlockFactory(name="Đảng bộ Khối cơ quan và doanh nghiệp tỉnh")
    admin = user("drill_admin", block, Role.SYSTEM_ADMIN)
    standing = user("drill_thuongvu", block, Role.STANDING_COMMITTEE)
    secretaries = []
    cells = []
    for i in range(1, 4):
        cell = OrganizationFactory(name=f"Chi bộ Phòng {i}", kind=OrganizationKind.GRASSROOTS_CELL, parent=block)
        members_on(cell, MEMBERS_PER_CELL)
        secretaries.append({"username": user(f"drill_bithu{i}", cell, Role.CELL_SECRETARY).username, "cell": cell.pk})
        cells.append(cell)
    cells += [
        OrganizationFactory(name=f"Chi bộ Trường số {i}", kind=OrganizationKind.GRASSROOTS_CELL, parent=block)
        for i in range(1, 25)
    ]
    plan = make_plan(Scheme.FOUR_GOODS, block)
    registrations = []
    for year in (2024, 2025):  # within the plan's period (fixtures/plans.json)
        for cell in cells:
            registration = recognition.registration_create(user=admin, plan=plan, year=year, organization=cell)
            advance(registration, State.APPRAISED_BOARD, admin)
            registrations.append(registration.pk)
    print(
        json.dumps(
            {
                "secretaries": secretaries,
                "standing": standing.username,
                "registrations": registrations,
                "admin": admin.pk,
            }
        )
    )


if __name__ == "__main__" and sys.argv[1:] == ["seed"]:
    seed()
