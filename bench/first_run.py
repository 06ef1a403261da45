"""How long a newcomer's first ``make run`` takes: a fresh clone of this checkout's HEAD, no .venv, no var/.

Clones into a temporary folder, runs ``make run`` there on a free port and times it until the login page
answers, then stops it. Prints the time of each phase read from make's own output (install, translations,
migrate, demo data, start) and the whole. ``python -m bench.first_run`` (``make bench-first-run``);
README.md, "How long the first run takes". The package index pip uses is the machine's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = [("venv", "-m venv"), ("install", "pip install"), ("translations", "compile_translations"),
          ("migrate", "manage.py migrate"), ("demo data", "manage.py seed_demo"), ("start", "honcho start")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="krs-first-run-") as folder:
        clone = Path(folder) / "krs"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "KRS_VAR_DIR")}
        env["PORT"] = str(port)
        started = time.monotonic()
        process = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True)
        marks: dict[str, float] = {}
        url = f"http://127.0.0.1:{port}/accounts/login/"
        output: list[str] = []

        def read() -> None:
            for line in process.stdout:
                output.append(line)
                for name, needle in PHASES:
                    if needle in line and name not in marks:
                        marks[name] = time.monotonic() - started

        threading.Thread(target=read, daemon=True).start()
        try:
            while not answers(url):
                if process.poll() is not None:
                    print("".join(output[-40:]), file=sys.stderr)
                    print("make run stopped before the page answered", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            total = time.monotonic() - started
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        names = [name for name, _needle in PHASES if name in marks]
        ends = [marks[n] for n in names[1:]] + [total]
        for name, end in zip(names, ends, strict=True):
            print(f"{name:<13} {end - marks[name]:6.1f} s")
        print(f"{'first page':<13} {total:6.1f} s after `make run` on a fresh clone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
