"""The deadline rush, as Locust users: districts save their values while bureaus certify (tests/load/rush.py).

Started by rush.py with ``locust -f tests/load/locustfile.py --headless``; it reads the accounts from
``KRS_LOAD_ACCOUNTS`` (a JSON file: districts and bureaus with their passwords) and appends what the
server acknowledged to ``KRS_LOAD_RECORDS`` (JSON lines), which rush.py checks against the database,
and every request's start and duration to ``KRS_LOAD_RECORDS.timings.json``, from which rush.py
reports throughput and percentiles (Locust's own CSV is written every second and can miss the end).

Each user does what the browser does, through a TLS-terminating proxy (``X-Forwarded-Proto: https``,
so the production settings' secure cookies, HSTS and SSL redirect are all in play):

- a district reporter logs in, opens its entry page, and saves its indicators one after another with
  htmx POSTs (``HX-Request``, the ``X-CSRFToken`` header from ``<body hx-headers>``, the entry's
  ``version`` for the optimistic lock), reloading the page now and then; every answer is recorded:
  saved (with the version the fragment now carries and the values sent), conflict, or refused;
- a bureau certifier logs in, opens its queue of entries awaiting certification and certifies a few
  of them (the review page's form POST, following the redirect to read the message); each answer is
  recorded: certified or refused.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from http.cookiejar import DefaultCookiePolicy

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["KRS_LOAD_ACCOUNTS"], encoding="utf-8").read()) if os.environ.get(
    "KRS_LOAD_ACCOUNTS") else {"districts": [], "bureaus": [], "password": ""}
RECORDS = os.environ.get("KRS_LOAD_RECORDS", "load-records.jsonl")
_lock = threading.Lock()
_taken = {"districts": 0, "bureaus": 0}
_records: list[dict] = []
_timings: dict[str, list[float]] = {}  # name → [(started, milliseconds, failed)], every request of the run

SAVE_FORM = re.compile(r'<form method="post" action="/reporting/entries/(\d+)/save/".*?</form>', re.S)
VERSION = re.compile(r'name="version" value="(\d+)"')
VARIABLE = re.compile(r'name="(v\d+)"')
CSRF_HEADER = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUEUE_ENTRY = re.compile(r'name="entry" value="(\d+)"')


def record(**fields) -> None:
    with _lock:
        _records.append(fields)


@events.request.add_listener
def _time(name, response_time, exception, start_time=None, **kwargs) -> None:
    _timings.setdefault(name, []).append((start_time, response_time, exception is not None))


@events.quitting.add_listener
def _write_records(environment, **kwargs) -> None:
    """After every user has stopped (the time limit, then --stop-timeout for requests under way)."""
    with open(RECORDS, "w", encoding="utf-8") as f:
        for item in _records:
            f.write(json.dumps(item) + "\n")
    with open(RECORDS + ".timings.json", "w", encoding="utf-8") as f:
        json.dump(_timings, f)


# The server marks cookies Secure (it is told, as by the proxy, that the request came over HTTPS); a
# browser behind the proxy would send them back. requests copies the session's cookie jar into a new one
# (with the default policy) for each request, so the policy is changed for this Locust process as a whole.
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


def _take(kind: str) -> dict:
    with _lock:
        n = _taken[kind]
        _taken[kind] += 1
    return ACCOUNTS[kind][n % len(ACCOUNTS[kind])]


class KrsUser(HttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.account = _take(self.kind)
        host = self.host.split("://", 1)[1].rstrip("/")
        # As nginx talks to gunicorn: one connection per request (nginx's upstream default). Kept-alive
        # connections straight to gunicorn race its 2 s keep-alive timeout and fail as "connection reset".
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": f"https://{host}", "Connection": "close"})
        self.login()

    def login(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_FIELD.search(page.text).group(1)
        with self.client.post("/accounts/login/", name="login", catch_response=True, data={
            "csrfmiddlewaretoken": token, "username": self.account["username"], "password": ACCOUNTS["password"],
        }) as response:
            if response.status_code != 200 or 'name="password"' in response.text:
                response.failure(f"login refused for {self.account['username']}: {response.status_code}")


class DistrictReporter(KrsUser):
    """Saves the district's indicators, one htmx POST each, again and again with new values."""

    kind = "districts"
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        super().on_start()
        self.entries: dict[int, dict] = {}
        self.order: list[int] = []
        self.turn = 0
        self.open_page()

    def open_page(self) -> None:
        with self.client.get("/reporting/", name="entry page", catch_response=True) as response:
            if response.status_code != 200 or "hx-headers" not in response.text:
                response.failure(f"entry page: HTTP {response.status_code} {response.error or ''}")
                return
            self.csrf = CSRF_HEADER.search(response.text).group(1)
            for match in SAVE_FORM.finditer(response.text):
                pk = int(match.group(1))
                form = match.group(0)
                known = self.entries.setdefault(pk, {"last_a": None})
                known["version"] = int(VERSION.search(form).group(1))
                known["fields"] = VARIABLE.findall(form)  # [A, B] in the indicator's order
            if not self.order:
                self.order = sorted(self.entries)
                random.shuffle(self.order)

    @task(10)
    def save(self) -> None:
        if not self.order:
            return
        pk = self.order[self.turn % len(self.order)]
        self.turn += 1
        known = self.entries[pk]
        field_a, field_b = known["fields"][:2]
        a = random.choice([n for n in range(50, 101) if n != known["last_a"]])  # every save changes something
        values = {field_a: str(a), field_b: "100"}
        with self.client.post(f"/reporting/entries/{pk}/save/", name="save (htmx)", catch_response=True,
                              data={"version": known["version"], **values},
                              headers={"HX-Request": "true", "X-CSRFToken": self.csrf}) as response:
            # A refusal answers its own status (409, 403) with the fragment and X-KRS-Status: an expected answer.
            status = response.headers.get("X-KRS-Status")
            answered = response.status_code == (int(status) if status in ("403", "409") else 200)
            found = VERSION.search(response.text) if answered else None
            if found is None:
                response.failure(f"save: HTTP {response.status_code} {response.error or ''}")
                return
            if status is None and 'data-testid="saved"' in response.text:
                known["version"], known["last_a"] = int(found.group(1)), a
                record(kind="save", user=self.account["username"], entry=pk, version=known["version"], values=values)
            elif status is None and 'data-testid="unchanged"' in response.text:
                # The entry already held these values (the district's other reporter saved them after a conflict
                # gave us the version): nothing was written, and the page rightly says so.
                response.success()
                known["version"], known["last_a"] = int(found.group(1)), a
            elif status == "409":
                response.success()
                known["version"] = int(found.group(1))
                record(kind="conflict", user=self.account["username"], entry=pk)
            elif status == "403":  # certified meanwhile, or the round closed: refused, nothing written
                response.success()
                record(kind="refused", user=self.account["username"], entry=pk)
                self.order.remove(pk)
            else:
                response.failure(f"save: unexpected answer X-KRS-Status={status}")

    @task(1)
    def reload(self) -> None:
        self.open_page()


class BureauCertifier(KrsUser):
    """Opens the queue of entries awaiting certification and certifies a few of them."""

    kind = "bureaus"
    wait_time = between(0.5, 2.0)
    fixed_count = int(os.environ.get("KRS_LOAD_BUREAUS", "0"))

    @task
    def certify_some(self) -> None:
        with self.client.get("/certification/?status=awaiting", name="queue", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"queue: HTTP {response.status_code} {response.error or ''}")
                return
            waiting = QUEUE_ENTRY.findall(response.text)
            token = CSRF_FIELD.search(response.text).group(1)
        for pk in random.sample(waiting, min(3, len(waiting))):
            with self.client.post(f"/certification/entries/{pk}/certify/", name="certify", catch_response=True,
                                  data={"csrfmiddlewaretoken": token, "next": f"/certification/entries/{pk}/"}) as answer:
                if answer.status_code != 200:
                    answer.failure(f"certify: HTTP {answer.status_code} {answer.error or ''}")
                elif "alert alert-success" in answer.text:
                    record(kind="certify", user=self.account["username"], entry=int(pk), ok=True)
                elif "alert alert-danger" in answer.text:  # the district changed it first: refused, told why
                    record(kind="certify", user=self.account["username"], entry=int(pk), ok=False)
                else:
                    answer.failure("certify: no message on the page")
