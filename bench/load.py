"""Load benchmark: the production server under fixed concurrency (issue 17).

``make loadtest`` (``python -m bench.load``, or ``python -m bench --only load``)
starts gunicorn as the image does (``config/gunicorn.py``) but bound to
127.0.0.1 on a free port, with production settings (``DJANGO_DEBUG=0``, a
random ``SECRET_KEY``, whitenoise's manifest of collected static files, JSON
request logs, the metrics' multiprocess folder), against the bench database.
Every request carries ``X-Forwarded-Proto: https`` as the TLS proxy sets it,
so ``SECURE_PROXY_SSL_HEADER`` makes it a secure request (no redirect, secure
cookies, the CSRF origin check of HTTPS).

The clients sign in for real, as in production: a password is set on the
bench accounts for the run (one hash for all, put back to unusable at the end),
each session GETs the log-in page, POSTs the form with its CSRF token and keeps
the session cookie. Two-factor sign-in is on (``TWO_FACTOR_ENFORCED=1``, as
production's default): each staff account (the bureau, the districts' staff)
is given a TOTP authenticator and recovery codes for the run (django-otp's
``TOTPDevice``/``StaticDevice``, named ``bench-load``, removed at the end), and
after the password its client follows the redirect to the verification page,
GETs the form, computes the current code with django-otp's own TOTP
(``django_otp.oath``) and POSTs it with the CSRF token; a refused code (the
30-second step rotated or was used already) is retried once with the next
code after django-otp's throttle delay. Teachers owe no second factor.
``--no-two-factor`` runs with ``TWO_FACTOR_ENFORCED=0`` and no devices, for
comparison. A code is accepted once per 30 s step and device, so the bureau
(one account) signs in once and its session serves its 5 clients, in both
modes. The sign-in times (median per role, password and second step apart)
are part of the report. The district systems use their API token (issued per
run) as they do in production. The log-in and API rate limits are raised for
the run, since all clients share one address.

Then ``--concurrency`` threads (20), each with its own connection
(``http.client``), drive each target in turn for ``--requests`` requests or
``--seconds`` seconds, whichever comes first:

* the teacher's page ``/credits/`` (round-robin over 20 teachers' sessions,
  ``--teachers``);
* a district's completion ``/credits/completion/`` (11 district staff);
* the bureau's dashboard ``/dashboards/bureau/``;
* the batch sync ``POST /api/v1/credits/entries/batch/`` (``--batch-size``
  rows a batch, a new ``Idempotency-Key`` each; the rows are removed after).

It reports requests per second and the p50/p95/p99 of the request times as
the client sees them, with the number of gunicorn workers, and writes JSON to
bench/out/load-<UTC time>.json (and load-latest.json). The measuring
functions take a base URL, so the smoke test (tests/bench/) drives Django's
live test server with them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN_PATH = "/accounts/login/"
VERIFY_PATH = "/accounts/two-factor/"
RUN_DEVICE_NAME = "bench-load"  # the run's authenticators and recovery codes
BATCH_URL = "/api/v1/credits/entries/batch/"
TARGETS = {"teacher_req_per_s": 250, "teacher_p99_ms": 200}
TARGET_KEYS = ("teacher_page", "district_completion", "bureau_dashboard", "batch_sync")
DEFAULTS = {"concurrency": 20, "requests": 2000, "seconds": 30.0, "batch_size": 100, "batches": 200}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_INPUT = re.compile(r'name="next" value="([^"]*)"')
VERIFY_FORM = re.compile(r'<form[^>]*id="two-factor-verify"[^>]*>(.*?)</form>', re.S)
# Set when the run stops (done, failed, Ctrl-C): the clients' threads end quietly.
STOPPING = threading.Event()


# --- The client -----------------------------------------------------------------------------------


@dataclass
class Session:
    """One signed-in client: its cookies (session, CSRF) or an API token."""

    name: str
    cookies: dict = field(default_factory=dict)
    token: str = ""
    # How the sign-in went (ms): the password step, the second factor, the whole.
    password_ms: float = 0.0
    second_factor_ms: float | None = None
    login_ms: float = 0.0
    code_retries: int = 0

    def headers(self) -> dict:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        return headers


class Client:
    """A connection to the server with the headers a TLS proxy adds."""

    def __init__(self, base_url: str, *, timeout: float = 120):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"https://{parts.netloc}"
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, *, body=None, headers=None, session=None):
        sent = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if session is not None:
            sent.update(session.headers())
        sent.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            # The server closed a kept connection (gunicorn's sync workers close
            # after each answer): once more on a new one.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response, data

    def close(self):
        self.conn.close()


def _cookies(response) -> dict:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


@dataclass(frozen=True)
class TotpKey:
    """What an authenticator app holds of a ``TOTPDevice``: its key and step."""

    key: bytes
    step: int = 30
    t0: int = 0
    digits: int = 6

    def code(self, at: float | None = None) -> str:
        """The code the app shows at ``at`` (now), by django-otp's own TOTP."""
        from django_otp.oath import TOTP

        totp = TOTP(self.key, self.step, self.t0, self.digits)
        if at is not None:
            totp.time = at
        return f"{totp.token():0{self.digits}d}"


def _throttle_delay() -> float:
    """django-otp's wait after one refused code (``OTP_TOTP_THROTTLE_FACTOR`` s)."""
    try:
        from django.conf import settings

        return float(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))
    except Exception:  # noqa: BLE001 - no settings: the package's default
        return 1.0


def _form_post(client: Client, path: str, fields: dict, session: Session, referer: str):
    response, body = client.request(
        "POST",
        path,
        body=urlencode(fields),
        session=session,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": client.origin,
            "Referer": client.origin + referer,
        },
    )
    session.cookies.update(_cookies(response))
    return response, body


def _redirect_path(response) -> str:
    location = response.getheader("Location", "")
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login(base_url: str, username: str, password: str, totp: TotpKey | None = None) -> Session:
    """Sign in through the log-in page, as a browser does: GET the form, POST
    it with its CSRF token and the HTTPS origin; keep the session cookie.

    With ``totp`` (a staff account that owes the second factor) the browser
    then follows the redirect, is sent on to the verification page, GETs its
    form and POSTs the authenticator's current code; a refused code (the step
    rotated, or was used already) is retried once with the next one."""
    client = Client(base_url)
    started = time.perf_counter()
    try:
        response, body = client.request("GET", LOGIN_PATH)
        if response.status != 200:
            raise RuntimeError(f"GET {LOGIN_PATH}: {response.status}")
        session = Session(name=username, cookies=_cookies(response))
        found = CSRF_INPUT.search(body.decode())
        if not found:
            raise RuntimeError("the log-in page has no CSRF token")
        fields = {"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)}
        response, body = _form_post(client, LOGIN_PATH, fields, session, LOGIN_PATH)
        if response.status != 302 or "sessionid" not in session.cookies:
            raise RuntimeError(f"log-in of {username} answered {response.status}: {body[:300]!r}")
        password_done = time.perf_counter()
        session.password_ms = (password_done - started) * 1000
        if totp is not None:
            _second_factor(client, session, _redirect_path(response), totp)
            session.second_factor_ms = (time.perf_counter() - password_done) * 1000
        session.login_ms = (time.perf_counter() - started) * 1000
        return session
    finally:
        client.close()


def _second_factor(client: Client, session: Session, after_login: str, totp: TotpKey) -> None:
    name = session.name
    response, _ = client.request("GET", after_login, session=session)
    session.cookies.update(_cookies(response))
    verify = _redirect_path(response)
    if response.status != 302 or not verify.startswith(VERIFY_PATH):
        raise RuntimeError(
            f"{name} after the password: {response.status} to {verify!r}, "
            "not the two-factor verification page"
        )
    response, body = client.request("GET", verify, session=session)
    form = VERIFY_FORM.search(body.decode()) if response.status == 200 else None
    csrf = CSRF_INPUT.search(form.group(1)) if form else None
    if not csrf:
        raise RuntimeError(f"GET {verify} as {name}: {response.status}, no verification form")
    found_next = NEXT_INPUT.search(form.group(1))
    fields = {
        "csrfmiddlewaretoken": csrf.group(1),
        "token": "",
        "next": html.unescape(found_next.group(1)) if found_next else "",
    }
    first = time.time()
    for attempt in range(2):
        # The retry: the code of the step after the first one (accepted within
        # django-otp's tolerance of one step), after its throttle delay.
        fields["token"] = totp.code(None if attempt == 0 else max(time.time(), first + totp.step))
        response, body = _form_post(client, verify, fields, session, verify)
        if response.status == 302:
            return
        if response.status != 200 or attempt:
            raise RuntimeError(
                f"two-factor code of {name} refused ({response.status}, "
                f"{attempt + 1} attempts): {body[:300]!r}"
            )
        session.code_retries += 1
        time.sleep(_throttle_delay() + 0.2)


def login_all(
    base_url: str,
    usernames,
    password: str,
    *,
    workers: int = 8,
    totp_keys: dict | None = None,
) -> list[Session]:
    keys = totp_keys or {}
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(
            pool.map(lambda name: login(base_url, name, password, keys.get(name)), usernames)
        )


def login_figures(groups: dict, *, two_factor: bool) -> dict:
    """Median sign-in times per role (ms), the password step and the second
    factor apart, with the number of sign-ins and of retried codes."""
    figures: dict = {"two_factor": two_factor}
    for role, sessions in groups.items():
        second = [s.second_factor_ms for s in sessions if s.second_factor_ms is not None]
        figures[role] = {
            "sign_ins": len(sessions),
            "median_ms": round(statistics.median(s.login_ms for s in sessions), 1),
            "password_median_ms": round(statistics.median(s.password_ms for s in sessions), 1),
            "second_factor_median_ms": round(statistics.median(second), 1) if second else None,
            "code_retries": sum(s.code_retries for s in sessions),
        }
    return figures


def _percentile(ms: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted ``ms``."""
    if not ms:
        return 0.0
    rank = max(1, min(len(ms), round(p / 100 * len(ms) + 0.5)))
    return ms[rank - 1]


def drive(
    base_url: str,
    jobs: list,
    *,
    concurrency: int,
    seconds: float,
    expect: int = 200,
    check=None,
    meter: CpuMeter | None = None,
) -> dict:
    """Send ``jobs`` (``(method, path, body, headers, session)``) from
    ``concurrency`` threads, each with its own connection, until all are sent
    or ``seconds`` have passed; the request times as the client sees them
    (and with ``meter``, the CPU each process spent a request meanwhile)."""
    lock = threading.Lock()
    state = {"next": 0}
    samples: list[tuple[float, float, float]] = []  # start, end, seconds
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker():
        client = Client(base_url)
        try:
            while True:
                with lock:
                    n = state["next"]
                    if n >= len(jobs) or time.perf_counter() >= deadline or STOPPING.is_set():
                        return
                    state["next"] = n + 1
                method, path, body, headers, session = jobs[n]
                started = time.perf_counter()
                try:
                    response, data = client.request(
                        method, path, body=body, headers=headers, session=session
                    )
                except (http.client.HTTPException, OSError):
                    if STOPPING.is_set():  # the server is going: no traceback per thread
                        return
                    raise
                ended = time.perf_counter()
                problem = None
                if response.status != expect:
                    problem = f"{method} {path}: {response.status} {data[:200]!r}"
                elif check is not None:
                    problem = check(data)
                with lock:
                    samples.append((started, ended, ended - started))
                    if problem:
                        errors.append(problem)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    if meter is not None:
        meter.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if not samples:
        raise RuntimeError("no request was answered")
    cpu = meter.stop(len(samples)) if meter is not None else None
    ms = sorted(s[2] * 1000 for s in samples)
    wall = max(s[1] for s in samples) - min(s[0] for s in samples)
    return {
        "requests": len(samples),
        "errors": len(errors),
        "first_errors": errors[:3],
        "concurrency": concurrency,
        "seconds": round(wall, 2),
        "req_per_s": round(len(samples) / wall, 1) if wall else None,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1),
        **({"cpu_per_request": cpu} if cpu is not None else {}),
    }


def page_jobs(sessions: list[Session], path: str, count: int) -> list:
    return [("GET", path, None, None, sessions[n % len(sessions)]) for n in range(count)]


def sync_jobs(batches, tokens: dict, tag: str) -> list:
    """One POST per batch with its district's token and a new Idempotency-Key
    (under the bench prefix, so ``bench.run.remove_sync_rows`` removes it)."""
    jobs = []
    for n, (district, rows) in enumerate(batches):
        body = json.dumps({"entries": rows}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": f"bench-{tag}-load-{n}"}
        jobs.append(
            ("POST", BATCH_URL, body, headers, Session(district.code, token=tokens[district.pk]))
        )
    return jobs


def warm_up(base_url: str, sessions: list[Session], path: str) -> None:
    """One request per session (the first of a worker imports and compiles),
    and a check that the session is signed in: a 200, not the log-in page."""
    client = Client(base_url)
    try:
        for session in sessions:
            response, data = client.request("GET", path, session=session)
            if response.status != 200:
                raise RuntimeError(f"GET {path} as {session.name}: {response.status}")
    finally:
        client.close()


def measure(
    base_url: str,
    actors: dict,
    password: str,
    *,
    tokens: dict,
    batches,
    tag: str,
    concurrency: int,
    requests: int,
    seconds: float,
    teacher_sessions: int = 20,
    single: int = 10,
    totp_keys: dict | None = None,
    only=TARGET_KEYS,
    meter: CpuMeter | None = None,
    log=print,
) -> dict:
    """Sign the clients in (the staff with their authenticator's code when
    ``totp_keys`` maps their usernames to keys), then drive each target of
    ``only`` in turn (the roles of the others do not sign in); ``meter``
    accounts the CPU of each target's run at ``concurrency`` by process."""
    two_factor = bool(totp_keys)
    log(
        "  signing in"
        + (" (password, then the authenticator's code for staff)…" if two_factor else "…")
    )
    logins = min(8, concurrency)  # log-ins side by side (PBKDF2 is the server's CPU)
    roles = {}
    if "teacher_page" in only:
        roles["teacher"] = login_all(
            base_url,
            [u.username for u in actors["teachers"][:teacher_sessions]],
            password,
            workers=logins,
        )
    if "district_completion" in only:
        roles["district_staff"] = login_all(
            base_url,
            [u.username for u in actors["districts"]],
            password,
            workers=logins,
            totp_keys=totp_keys,
        )
    if "bureau_dashboard" in only:
        # One sign-in of the bureau, whose session its clients share: a TOTP code
        # is accepted once per step and device (the same in both modes).
        roles["bureau"] = login_all(
            base_url, [actors["bureau"].username], password, totp_keys=totp_keys
        )
    figures = {"login": login_figures(roles, two_factor=two_factor)}
    for key, sessions, path in (
        ("teacher_page", roles.get("teacher"), "/credits/"),
        ("district_completion", roles.get("district_staff"), "/credits/completion/"),
        ("bureau_dashboard", roles.get("bureau", []) * min(5, concurrency), "/dashboards/bureau/"),
    ):
        if key not in only:
            continue
        warm_up(base_url, sessions, path)
        # One client first: the service time, which the figure at c = 20 is made of
        # (a shared machine changes both alike; their ratio is the queueing).
        alone = drive(
            base_url,
            page_jobs(sessions, path, single),
            concurrency=1,
            seconds=seconds,
        )
        log(f"  {path}: {requests} requests or {seconds:g} s at c = {concurrency}…")
        figures[key] = drive(
            base_url,
            page_jobs(sessions, path, requests),
            concurrency=concurrency,
            seconds=seconds,
            meter=meter,
        )
        distinct = len({id(s) for s in sessions})
        figures[key].update(path=path, sessions=distinct, single_client=alone)
    if batches and "batch_sync" in only:
        jobs = sync_jobs(batches, tokens, tag)
        size = len(batches[0][1])
        log(f"  {BATCH_URL}: {len(jobs)} batches of {size} or {seconds:g} s…")
        result = drive(
            base_url,
            jobs,
            concurrency=concurrency,
            seconds=seconds,
            expect=201,
            check=_created(size),
            meter=meter,
        )
        result.update(path=BATCH_URL, batch_size=size)
        result["entries_per_s"] = round(result["req_per_s"] * size) if result["req_per_s"] else None
        figures["batch_sync"] = result
    return figures


def _created(size: int):
    def check(data: bytes):
        created = json.loads(data)["batch"]["created"]
        return None if created == size else f"{created} of {size} created"

    return check


# --- CPU by process ------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return sorted(found)


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (``/proc/stat``)."""
    with open("/proc/stat") as fh:
        ticks = [int(x) for x in fh.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def database_backends() -> list[int]:
    """The PostgreSQL backends connected to the bench database, this process's own apart."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """Where a target's CPU goes, by process, per request: the gunicorn workers
    (the children of ``server_pid``), the PostgreSQL backends of the bench
    database (``backends()``: on this machine, so ``/proc`` shows them) and the
    client itself (this process, all its threads), beside the whole machine's.
    CPU seconds, not wall time: what each side spends on a request whatever
    else shares the cores (their ratio, not the absolute figure, is what
    compares across runs on a shared machine). Linux only (``/proc``)."""

    def __init__(self, server_pid: int, backends=database_backends):
        self.server_pid = server_pid
        self.backends = backends

    @staticmethod
    def available() -> bool:
        return os.path.exists("/proc/self/stat") and os.path.exists("/proc/stat")

    def _sample(self) -> dict:
        from bench.run import process_cpu

        workers = _children(self.server_pid)
        backends = self.backends()
        return {
            "workers": {pid: process_cpu(pid) for pid in workers},
            "backends": {pid: process_cpu(pid) for pid in backends},
            "client": sum(os.times()[:2]),
            "machine": _machine_busy(),
        }

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, requests: int) -> dict:
        after = self._sample()

        def spent(kind: str):
            # A process that came or went meanwhile (a worker restarted, a backend
            # closed) cannot be accounted: counted from zero, or left out, and said.
            total, unknown = 0.0, 0
            for pid, seconds in after[kind].items():
                if seconds is None:
                    unknown += 1
                    continue
                total += seconds - (self.before[kind].get(pid) or 0.0)
            unknown += len(set(self.before[kind]) - set(after[kind]))
            return total, unknown

        workers, workers_unknown = spent("workers")
        postgres, backends_unknown = spent("backends")
        client = after["client"] - self.before["client"]
        machine = after["machine"] - self.before["machine"]

        def per_request(seconds: float) -> float:
            return round(seconds * 1000 / requests, 2) if requests else 0.0

        return {
            "gunicorn_workers_ms": per_request(workers),
            "postgres_ms": per_request(postgres),
            "client_ms": per_request(client),
            "ours_ms": per_request(workers + postgres + client),
            "machine_ms": per_request(machine),
            "workers": len(after["workers"]),
            "postgres_backends": len(after["backends"]),
            "processes_not_accounted": workers_unknown + backends_unknown,
        }


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(
    database_url: str,
    *,
    static_root: Path,
    media_root: Path,
    metrics_dir: str,
    redis_url: str = "",
    two_factor: bool = True,
    base=None,
) -> dict:
    """Production settings for the run (see the module's docstring); with
    ``two_factor`` (the default) staff owe a second factor, as in production,
    whatever the calling shell's ``TWO_FACTOR_ENFORCED`` says."""
    from centers.fields import default_key

    env = dict(os.environ if base is None else base)
    for name in (
        "REDIS_URL",
        "REDIS_CACHE_URL",
        "TEST_DATABASE_NAME",
        "DJANGO_SETTINGS_MODULE",
        "TWO_FACTOR_REQUIRED_ROLES",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        # The bench city's ID numbers were encrypted under the development key.
        ID_NUMBER_KEYS=default_key(),
        TWO_FACTOR_ENFORCED="1" if two_factor else "0",
        RATE_LIMIT_LOGIN="100000/min",
        RATE_LIMIT_API_USER="100000/min",
        LOG_LEVEL="INFO",
    )
    if redis_url:
        # The rate limits' counters in Redis, shared by the workers as in production; the
        # cache in that same database (not the next one: it is the run's only database).
        env["REDIS_URL"] = env["REDIS_CACHE_URL"] = redis_url
    return env


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The image's command (docker-compose's web service), bound to
    127.0.0.1 only: command-line options override config/gunicorn.py's."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "-c",
        "config/gunicorn.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # No control socket: its default path (~/.gunicorn/gunicorn.ctl) is one per
        # user, shared with any other gunicorn on the machine.
        "--no-control-socket",
    ]


def gunicorn_workers_default() -> int:
    """config/gunicorn.py's figure (what production runs)."""
    namespace: dict = {}
    exec((BASE_DIR / "config" / "gunicorn.py").read_text(), namespace)  # noqa: S102
    return namespace["workers"]


def collect_static(env: dict, static_root: Path) -> None:
    """whitenoise's manifest storage needs collected files in production; kept
    between runs unless a file under a static folder is newer (17 s here)."""
    manifest = static_root / "staticfiles.json"
    if manifest.exists():
        stamp = manifest.stat().st_mtime
        sources = [p for p in BASE_DIR.glob("*/static/**/*") if ".venv" not in p.parts]
        if all(p.stat().st_mtime <= stamp for p in sources if p.is_file()):
            return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


class Server:
    """gunicorn in a child process; its output goes to ``log_path``."""

    def __init__(self, env: dict, *, workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.command = gunicorn_command(self.port, workers)
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                response, _ = Client(self.base_url, timeout=5).request("GET", "/healthz/")
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer in {timeout:g} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# --- Passwords for the run ------------------------------------------------------------------------


def set_run_password(users) -> str:
    """A random password on ``users`` for the run (one hash: PBKDF2 once)."""
    from django.contrib.auth.hashers import make_password

    from core.models import User

    password = secrets.token_urlsafe(16) + "Aa1!"
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(password))
    return password


def clear_run_password(users) -> None:
    from django.contrib.auth.hashers import make_password

    from core.models import User

    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(None))


# --- Authenticators for the run -------------------------------------------------------------------


def enrol_run_devices(users) -> dict[str, TotpKey]:
    """A confirmed TOTP authenticator and recovery codes for each of ``users``
    (as a staff member has after enrolling), named ``RUN_DEVICE_NAME``; their
    keys by username, for the clients. Devices a killed run left behind go
    first; a device of any other name on these accounts stops the run (it is
    not the run's to remove, and would be asked for)."""
    from django.conf import settings
    from django.db import transaction
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ids = [u.pk for u in users]
    remove_run_devices(users)
    for model in (TOTPDevice, StaticDevice):
        others = model.objects.filter(user_id__in=ids).exclude(name=RUN_DEVICE_NAME)
        if others.exists():
            names = sorted({d.user.username for d in others.select_related("user")})
            raise RuntimeError(
                f"bench accounts already have two-factor devices not made by a run: {names}"
            )
    keys = {}
    with transaction.atomic():
        for user in users:
            device = TOTPDevice.objects.create(user=user, name=RUN_DEVICE_NAME, confirmed=True)
            keys[user.username] = TotpKey(device.bin_key, device.step, device.t0, device.digits)
            static = StaticDevice.objects.create(user=user, name=RUN_DEVICE_NAME, confirmed=True)
            StaticToken.objects.bulk_create(
                StaticToken(device=static, token=StaticToken.random_token())
                for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)
            )
    return keys


def remove_run_devices(users) -> int:
    """Remove the run's authenticators and recovery codes from ``users``; the
    number of devices removed."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ids = [u.pk for u in users]
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += (
            model.objects.filter(user_id__in=ids, name=RUN_DEVICE_NAME)
            .delete()[1]
            .get(model._meta.label, 0)
        )
    return removed


def run_devices_left(users) -> int:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ids = [u.pk for u in users]
    return sum(
        model.objects.filter(user_id__in=ids, name=RUN_DEVICE_NAME).count()
        for model in (TOTPDevice, StaticDevice)
    )


# --- Report ---------------------------------------------------------------------------------------


def verdicts(figures: dict) -> list[tuple[str, str, str, bool | None]]:
    rows = []
    labels = {
        "teacher_page": "Teacher page /credits/",
        "district_completion": "District completion",
        "bureau_dashboard": "Bureau dashboard",
        "batch_sync": "Batch sync (API)",
    }
    for key, label in labels.items():
        fig = figures.get(key)
        if not fig:
            continue
        errors = f", {fig['errors']} errors" if fig["errors"] else ""
        if key == "teacher_page":
            rows.append(
                (
                    f"{label}, req/s",
                    f"{fig['req_per_s']} ({fig['requests']} in {fig['seconds']} s{errors})",
                    f"≥ {TARGETS['teacher_req_per_s']}",
                    fig["req_per_s"] >= TARGETS["teacher_req_per_s"] and not fig["errors"],
                )
            )
        else:
            rows.append(
                (
                    f"{label}, req/s",
                    f"{fig['req_per_s']} ({fig['requests']} in {fig['seconds']} s{errors})",
                    "",
                    None,
                )
            )
        if key == "batch_sync":
            rows.append(
                ("  entries/s", f"{fig['entries_per_s']:,} ({fig['batch_size']} a batch)", "", None)
            )
        latency = f"{fig['p50_ms']} / {fig['p95_ms']} / {fig['p99_ms']} ms"
        if key == "teacher_page":
            target = TARGETS["teacher_p99_ms"]
            rows.append(
                ("  p50 / p95 / p99", latency, f"p99 < {target} ms", fig["p99_ms"] < target)
            )
        else:
            rows.append(("  p50 / p95 / p99", latency, "", None))
        alone = fig.get("single_client")
        cpu = fig.get("cpu_per_request")
        if cpu:
            rows.append(
                (
                    "  CPU a request: workers / PG / client",
                    f"{cpu['gunicorn_workers_ms']} / {cpu['postgres_ms']} / {cpu['client_ms']} ms"
                    f" (machine {cpu['machine_ms']})",
                    "",
                    None,
                )
            )
        if alone:
            rows.append(
                (
                    "  one client alone: p50, req/s",
                    f"{alone['p50_ms']} ms, {alone['req_per_s']}/s ({alone['requests']})",
                    "",
                    None,
                )
            )
    login = figures.get("login")
    if login:
        labels = {"teacher": "teachers", "district_staff": "district staff", "bureau": "bureau"}
        how = "password + TOTP code (staff)" if login["two_factor"] else "password alone (no 2FA)"
        rows.append(("Sign-in, median", how, "", None))
        for role, label in labels.items():
            fig = login.get(role)
            if not fig:
                continue
            measured = f"{fig['median_ms']} ms ({fig['sign_ins']}"
            if fig["second_factor_median_ms"] is not None:
                measured += f"; {fig['password_median_ms']} + code {fig['second_factor_median_ms']}"
                if fig["code_retries"]:
                    measured += f", {fig['code_retries']} codes retried"
            rows.append((f"  {label}", measured + ")", "", None))
    return rows


def print_report(meta: dict, figures: dict) -> list:
    rows = verdicts(figures)
    print()
    print("Load: the production server at fixed concurrency")
    for key, value in meta.items():
        print(f"  {key:<17} {value}")
    print()
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'Figure':<{width}}{'Measured':<36}{'Target':<16}Result")
    print("-" * (width + 60))
    for label, measured, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{label:<{width}}{measured:<36}{target:<16}{verdict}")
    print()
    return rows


# --- Main -----------------------------------------------------------------------------------------


def run_load(
    url: str,
    actors: dict,
    *,
    concurrency: int,
    requests: int,
    seconds: float,
    batch_size: int,
    sync_requests: int,
    workers: int,
    teacher_sessions: int = 20,
    redis_url: str = "",
    two_factor: bool = True,
    tag: str = "",
    only=TARGET_KEYS,
) -> dict:
    """Start gunicorn on the bench database, drive it, stop it, clean up
    (passwords, authenticators, sync rows: even on a failure or Ctrl-C).
    Django is set up on the bench database (``bench.env.setup``)."""
    from bench import env as bench_env
    from bench import run as bench_run
    from centers.models import District

    tag = tag or datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    out = bench_env.OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    people = [*actors["teachers"], *actors["districts"], actors["bureau"]]
    staff = [*actors["districts"], actors["bureau"]]  # who owe a second factor
    metrics_dir = tempfile.mkdtemp(prefix="load-metrics-")
    env = server_env(
        url,
        static_root=out / "static",
        media_root=out / "media",
        metrics_dir=metrics_dir,
        redis_url=redis_url,
        two_factor=two_factor,
    )
    print("Collecting static files for the production storage…")
    collect_static(env, out / "static")
    districts = list(District.objects.filter(pk__in=actors["systems"]).order_by("order"))
    batches = (
        bench_run.build_batches(
            districts, batches=sync_requests, size=batch_size, tag=f"{tag}load", seed=11
        )
        if "batch_sync" in only
        else []
    )
    tokens = bench_run.issue_tokens(actors["systems"])
    server = None
    cleaned: dict = {}
    load_at_start = os.getloadavg()
    STOPPING.clear()
    try:
        password = set_run_password(people)
        totp_keys = enrol_run_devices(staff) if two_factor else {}
        server = Server(env, workers=workers, log_path=out / f"load-server-{tag}.log")
        print(f"gunicorn, {workers} workers, on {server.base_url} (log {server.log_path.name})…")
        server.wait_ready()
        figures = measure(
            server.base_url,
            actors,
            password,
            tokens=tokens,
            batches=batches,
            tag=f"{tag}load",
            concurrency=concurrency,
            requests=requests,
            seconds=seconds,
            teacher_sessions=teacher_sessions,
            totp_keys=totp_keys,
            only=only,
            meter=CpuMeter(server.process.pid) if CpuMeter.available() else None,
        )
    finally:
        STOPPING.set()
        _clean_up(
            cleaned,
            server=lambda: server.stop() if server else None,
            passwords=lambda: clear_run_password(people),
            devices=lambda: remove_run_devices(staff),
            sync_rows=lambda: bench_run.remove_sync_rows(f"{tag}load"),
            vacuum=bench_run.vacuum,
            metrics=lambda: shutil.rmtree(metrics_dir, ignore_errors=True),
        )
    left = run_devices_left(staff)
    if left:
        raise RuntimeError(f"{left} of the run's two-factor devices are left")
    meta = {
        "server": " ".join(["gunicorn", *server.command[4:]]),
        "gunicorn_workers": workers,
        "settings": "DJANGO_DEBUG=0, X-Forwarded-Proto: https, "
        + (
            "TWO_FACTOR_ENFORCED=1 (staff: password + TOTP code)"
            if two_factor
            else "TWO_FACTOR_ENFORCED=0 (--no-two-factor)"
        )
        + (", Redis cache" if redis_url else ", local-memory cache, eager tasks"),
        "concurrency": concurrency,
        "bounds": f"{requests} requests or {seconds:g} s a page; {len(batches)} batches",
        "targets": ", ".join(only),
        "load_average": f"{bench_run._load(load_at_start)} at the start, "
        f"{bench_run._load(os.getloadavg())} at the end",
        "cpus": os.cpu_count(),
        "sync_rows_removed": cleaned["sync_rows"],
        "two_factor_devices_removed": cleaned["devices"],
    }
    return {"meta": meta, "figures": figures}


def _clean_up(results: dict, **steps) -> None:
    """Run every clean-up step even when one fails (or is interrupted); the
    first error is raised after the last step. ``results`` gets each return."""
    first = None
    for name, step in steps.items():
        try:
            results[name] = step()
        except BaseException as error:  # noqa: BLE001 - Ctrl-C in a step: the rest still run
            print(f"  clean-up step {name} failed: {error!r}", file=sys.stderr)
            first = first or error
    if first is not None:
        raise first


def _exit_on_sigterm(signum, frame):
    # As Ctrl-C: SystemExit unwinds through run_load's clean-up.
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark: gunicorn at fixed concurrency.")
    parser.add_argument("--concurrency", type=int, default=DEFAULTS["concurrency"])
    parser.add_argument("--requests", type=int, default=DEFAULTS["requests"], help="a page")
    parser.add_argument(
        "--seconds", type=float, default=DEFAULTS["seconds"], help="a target at most"
    )
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    parser.add_argument("--batches", type=int, default=DEFAULTS["batches"], help="sync requests")
    parser.add_argument("--teachers", type=int, default=20, help="teachers signed in")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (config's: 3)")
    parser.add_argument(
        "--redis", default="", help="a Redis URL for the cache (rate limits), as in production"
    )
    parser.add_argument("--scale", type=int, default=1, help="on the city N times over")
    parser.add_argument(
        "--only",
        default=",".join(TARGET_KEYS),
        help=f"targets to drive, comma-separated (of {', '.join(TARGET_KEYS)})",
    )
    parser.add_argument(
        "--no-two-factor",
        dest="two_factor",
        action="store_false",
        help="staff sign in with a password alone (TWO_FACTOR_ENFORCED=0), for comparison",
    )
    args = parser.parse_args(argv)
    only = tuple(key for key in TARGET_KEYS if key in args.only.split(","))
    unknown = set(args.only.split(",")) - set(TARGET_KEYS)
    if unknown or not only:
        parser.error(f"--only: {', '.join(sorted(unknown)) or 'nothing'}; of {TARGET_KEYS}")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    from bench import env as bench_env

    url = bench_env.setup(scale=args.scale)
    from bench import generate
    from bench import run as bench_run

    if not generate.already_generated(generate.scaled(args.scale)):
        sys.exit(
            "The bench database holds no city: run `make bench` (or python -m bench.generate)."
        )
    result = run_load(
        url,
        bench_run.bench_actors(),
        concurrency=args.concurrency,
        requests=args.requests,
        seconds=args.seconds,
        batch_size=args.batch_size,
        sync_requests=args.batches,
        teacher_sessions=args.teachers,
        workers=args.workers or gunicorn_workers_default(),
        redis_url=args.redis,
        two_factor=args.two_factor,
        only=only,
    )
    write_report(result, url)
    return 0


def write_report(result: dict, url: str) -> Path:
    from bench import env as bench_env
    from bench import run as bench_run

    env = bench_run.environment(url)
    meta = {"git": env["git"], "date": env["date"], "postgres": env["postgres"], **result["meta"]}
    rows = print_report(meta, result["figures"])
    out = {
        "environment": env,
        "meta": meta,
        "targets": TARGETS,
        "figures": result["figures"],
        "table": [{"figure": r[0], "measured": r[1], "target": r[2], "pass": r[3]} for r in rows],
    }
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    path = bench_env.OUT_DIR / f"load-{stamp}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    (bench_env.OUT_DIR / "load-latest.json").write_text(path.read_text())
    print(f"Figures written to {path}")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
