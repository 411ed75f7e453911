"""Nightly pull of the Local Area Agreement data from an LSP Hub, as a county would run it.

The first run downloads the whole export; later runs ask only for rows changed since the last
snapshot (``updated_since``) and send the last ETag (``If-None-Match``), so an unchanged hub
answers ``304`` with no body. Changes and deletions are merged into a local CSV, written
atomically. State (ETag and snapshot time) lives in a small JSON file next to it.

    python examples/county_pull.py --base-url http://127.0.0.1:8000 \
        --key "$LSPHUB_COUNTY_KEY" --out laa.csv [--area E06000099]

Needs only httpx. Use a ``county`` API key (scope ``laa:read``): ``lsphub create-key --role
county --name "County LAA pull"``.
"""

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

EXPORT_PATH = "/api/v1/laa/export"
KEY_FIELDS = ("code", "area", "period")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_OVERLAP = timedelta(minutes=5)  # covers transactions still open at snapshot time


@dataclass
class PullResult:
    kind: str  # "full", "delta" or "not_modified"
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    deleted: list[tuple[str, str, str]] = field(default_factory=list)
    total_rows: int = 0


def row_key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (str(row["code"]), str(row["area"]), str(row["period"]))


def iter_export(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The JSON Lines body, one object at a time, without holding it all."""
    for line in response.iter_lines():
        if line.strip():
            yield json.loads(line)


def load_state(state_path: Path) -> dict[str, Any]:
    if not state_path.exists():
        return {}
    return dict(json.loads(state_path.read_text(encoding="utf-8")))


def _unescape(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] and text[1] in "=+-@\t\r" else text


def read_csv(csv_path: Path) -> tuple[list[str], dict[tuple[str, str, str], dict[str, Any]]]:
    """The local copy, keyed by (code, area, period), with our formula escaping undone."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {}
        for raw in reader:
            row = {name: _unescape(value) for name, value in raw.items()}
            rows[row_key(row)] = row
        return list(reader.fieldnames or []), rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text  # keep spreadsheets from running it as a formula
    return text


def write_csv(
    csv_path: Path, columns: list[str], rows: dict[tuple[str, str, str], dict[str, Any]]
) -> None:
    """Write sorted by key to a temporary file, then rename over the old one."""
    tmp = csv_path.with_suffix(csv_path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for key in sorted(rows):
            writer.writerow([_cell(rows[key].get(name)) for name in columns])
    os.replace(tmp, csv_path)


def pull(
    client: httpx.Client,
    csv_path: Path,
    state_path: Path | None = None,
    *,
    area: str | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> PullResult:
    """One nightly run: a full export the first time, a delta afterwards."""
    state_path = state_path or csv_path.with_suffix(".state.json")
    state = load_state(state_path)
    params: dict[str, str] = {"format": "json"}
    if area:
        params["area"] = area
    headers: dict[str, str] = {}
    full = not csv_path.exists() or not state.get("snapshot_at") or state.get("area") != area
    if not full:
        since = datetime.fromisoformat(state["snapshot_at"]) - overlap
        params["updated_since"] = since.isoformat()
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]

    with client.stream("GET", EXPORT_PATH, params=params, headers=headers) as response:
        if response.status_code == 304:
            return PullResult("not_modified", total_rows=state.get("rows", 0))
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"export failed: HTTP {response.status_code}: {response.text}")
        columns: list[str] = []
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        if not full:
            columns, rows = read_csv(csv_path)
        result = PullResult("full" if full else "delta")
        for item in iter_export(response):
            key = row_key(item)
            if item.get("deleted"):
                rows.pop(key, None)
                result.deleted.append(key)
                continue
            item.pop("deleted", None)
            if not columns:
                columns = list(item)  # the server's documented column order
            rows[key] = item
            result.changed.append(key)
        etag = response.headers.get("ETag")
        snapshot_at = response.headers["LSPHub-Snapshot-At"]

    if columns:
        write_csv(csv_path, columns, rows)
    elif full:
        csv_path.write_text("", encoding="utf-8")
    result.total_rows = len(rows)
    state_path.write_text(
        json.dumps(
            {"etag": etag, "snapshot_at": snapshot_at, "area": area, "rows": result.total_rows},
            indent=2,
        ),
        encoding="utf-8",
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=os.environ.get("LSPHUB_COUNTY_KEY"), required=False)
    parser.add_argument("--out", type=Path, default=Path("laa.csv"))
    parser.add_argument("--area", default=None, help="ONS area code, e.g. E06000099")
    parser.add_argument("--overlap-minutes", type=float, default=5.0)
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("give --key or set LSPHUB_COUNTY_KEY")
    with httpx.Client(
        base_url=args.base_url,
        headers={"Authorization": f"Bearer {args.key}"},
        timeout=httpx.Timeout(30.0, read=300.0),
    ) as client:
        result = pull(
            client, args.out, area=args.area, overlap=timedelta(minutes=args.overlap_minutes)
        )
    print(
        f"{result.kind}: {len(result.changed)} changed, {len(result.deleted)} deleted, "
        f"{result.total_rows} rows in {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
