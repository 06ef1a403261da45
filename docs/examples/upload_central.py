"""Upload a bureau's central values for every district in one call (docs/api.md).

    KRS_URL=http://127.0.0.1:8000 KRS_TOKEN=krs_… python docs/examples/upload_central.py 11.2 values.csv

values.csv has a header ``office,A,B`` (office code, then one column per central variable code) and one
row per district. The script finds the round open now and the indicator's id, sends everything in one
POST /api/v1/central-values (all rows saved, or none), and prints the outcome. Only the standard library.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime


def call(method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        os.environ.get("KRS_URL", "http://127.0.0.1:8000").rstrip("/") + "/api/v1" + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {os.environ['KRS_TOKEN']}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error)
        print(f"{error.code} {problem['code']}: {problem['message_en']}", file=sys.stderr)
        for item in problem.get("errors", []):
            print(f"  item {item['item']} {item['field']}: {item['code']} — {item['message_th']}", file=sys.stderr)
        raise SystemExit(1) from None


def open_round() -> dict:
    """The round open for entry now (the one district pages show first), else one still open for certification."""
    now = datetime.now(UTC)
    rounds = call("GET", "/rounds?limit=500")["items"]

    def at(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    for last in ("deadline", "certification_deadline"):
        current = [r for r in rounds if at(r["opens_at"]) <= now <= max(at(r[last]), at(r["late_until"]) or at(r[last]))]
        if current:
            return min(current, key=lambda r: r["deadline"])
    raise SystemExit("no round is open now")


def main(indicator_code: str, path: str) -> None:
    round_ = open_round()
    found = call("GET", f"/indicators?round={round_['id']}&code={indicator_code}&central=true")["items"]
    if not found:
        raise SystemExit(f"no indicator {indicator_code} with central data in {round_['label']}")
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    items = [{"office": row.pop("office"), "indicator": found[0]["id"], "values": row} for row in rows]
    result = call("POST", "/central-values", {"round": round_["id"], "items": items})
    print(f"{round_['label']}: {result['changed']} districts changed, {result['unchanged']} unchanged")


if __name__ == "__main__":
    main(*sys.argv[1:3])
