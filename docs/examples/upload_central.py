"""Upload a bureau's central values for every district in one call (docs/api.md).

    KRS_URL=http://127.0.0.1:8000 KRS_TOKEN=krs_… python docs/examples/upload_central.py 11.2 values.csv

values.csv has a header ``office,A,B`` (office code, then one column per central variable code) and one
row per district; the grid's own downloaded CSV (``รหัสหน่วยงาน,ชื่อหน่วยงาน,A,B``) works as it is, and so
does a CSV saved by Excel on Thai Windows (TIS-620/cp874) or with a title line above the header. The
script finds the round open now and the indicator's id, sends everything in one
POST /api/v1/central-values (all rows saved, or none), and prints the outcome. Only the standard library.
A file it cannot read is refused with what to fix, never sent half-read.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime

OFFICE_COLUMNS = ("office", "office_code", "code", "รหัสหน่วยงาน", "รหัส")
NAME_COLUMNS = ("office_name", "name", "ชื่อหน่วยงาน", "หน่วยงาน")


def read_rows(path: str) -> list[dict[str, str]]:
    """The file's rows as {"office": code, variable code: value}; SystemExit with a message when unreadable."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except OSError as error:
        raise SystemExit(f"cannot open {path}: {error.strerror}") from None
    for encoding in ("utf-8-sig", "cp874"):  # Excel's "CSV UTF-8", then its plain "CSV" on Thai Windows
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SystemExit(f"{path}: not a CSV in UTF-8 or TIS-620 (cp874); save it as “CSV UTF-8”")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    if delimiter == ";":
        # Excel writes ";" where the comma is the decimal mark: "1.000" would be sent as 1. The upload page
        # reads such files and refuses the numbers that read two ways; this script does not guess.
        raise SystemExit(f"{path}: separated by ';' (a decimal-comma locale); save it as “CSV UTF-8” with commas, "
                         "or upload it on the central-data page, which checks each number")
    table = [(number, row) for number, row in enumerate(csv.reader(lines, delimiter=delimiter), 1)
             if any(cell.strip() for cell in row)]
    # The header is the first row naming the office column; a title row above it is skipped.
    found = next(((position, office) for position, (_n, header) in enumerate(table[:10])
                  for office, name in enumerate(header) if name.strip().lstrip("\ufeff").casefold() in OFFICE_COLUMNS),
                 None)
    if found is None:
        raise SystemExit(f"{path}: no header with an office code column ({', '.join(OFFICE_COLUMNS)})")
    position, office = found
    names = [cell.strip().lstrip("\ufeff") for cell in table[position][1]]
    keep = {i: name for i, name in enumerate(names) if i != office and name and name.casefold() not in NAME_COLUMNS}
    rows = []
    for number, cells in table[position + 1:]:
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names):]):
            raise SystemExit(f"{path}: line {number} has more cells than the header (quote names that hold a comma)")
        code = cells[office].strip() if office < len(cells) else ""
        if not code:
            raise SystemExit(f"{path}: line {number} has no office code")
        rows.append({"office": code, **{name: (cells[i].strip() if i < len(cells) else "") for i, name in keep.items()}})
    if not rows:
        raise SystemExit(f"{path}: no rows below the header")
    return rows


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
        try:
            problem = json.load(error)
        except ValueError:  # a proxy's error page, not the API's answer
            raise SystemExit(f"{error.code} {error.reason}") from None
        print(f"{error.code} {problem['code']}: {problem['message_en']}", file=sys.stderr)
        for item in problem.get("errors", []):
            print(f"  item {item['item']} {item['field']}: {item['code']} — {item['message_th']}", file=sys.stderr)
        raise SystemExit(1) from None
    except urllib.error.URLError as error:
        raise SystemExit(f"cannot reach {request.full_url}: {error.reason}") from None


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
    rows = read_rows(path)  # a bad file is refused before anything is asked of the server
    round_ = open_round()
    found = call("GET", f"/indicators?round={round_['id']}&code={indicator_code}&central=true")["items"]
    if not found:
        raise SystemExit(f"no indicator {indicator_code} with central data in {round_['label']}")
    items = [{"office": row.pop("office"), "indicator": found[0]["id"], "values": row} for row in rows]
    result = call("POST", "/central-values", {"round": round_["id"], "items": items})
    print(f"{round_['label']}: {result['changed']} districts changed, {result['unchanged']} unchanged")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    if "KRS_TOKEN" not in os.environ:
        raise SystemExit("set KRS_TOKEN to an API token with write access (docs/api.md)")
    main(*sys.argv[1:3])
