"""`occstats serve`: a read-only HTTP API over one data release (never the live tables).

Everything it answers comes from the release folder `occstats publish` wrote: the Parquet files
(queried with DuckDB, read-only, parameters bound, never interpolated), datapackage.json, the
changelog and the fact cards. A release never changes, so every answer is a function of
(release, URL): the ETag is derived from the release's checksums (the sha256 of its
datapackage.json, which lists every file's sha256) and the request, and a matching
If-None-Match gets 304 before any query runs. Only GET and HEAD exist; CORS is open for browsers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import duckdb
import pyarrow as pa
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, PlainTextResponse, Response

from occstats.labels import oes_label
from occstats.lineage import MEASURES, WAGE_MEASURES
from occstats.publishing.release import CARDS_DIR, LATEST, RELEASES, latest_number, read_package, release_numbers
from occstats.render import jsonable
from occstats.schema import CODE_PATTERN, TABLES, Table

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
RESERVED = {"limit", "offset", "format"}
METHODS = ["GET", "HEAD"]
SHORT_CACHE = "public, max-age=300"  # answers about "the release this server serves" or the release list
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"  # /releases/<N>/...: never changes


class ReleaseData:
    """One release: its description, Parquet views in DuckDB, and where its siblings live."""

    def __init__(self, release_dir: Path) -> None:
        self.dir = release_dir.resolve()
        self.package = read_package(self.dir)
        self.number = int(self.package["occstats"]["release"])
        self.root = self.dir.parent.parent if self.dir.parent.name == RELEASES else None
        self.digest = hashlib.sha256((self.dir / "datapackage.json").read_bytes()).hexdigest()
        self.tables: dict[str, Table] = {}
        self._con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
        self._lock = threading.Lock()
        for res in self.package["resources"]:
            if res["name"] in TABLES:
                path = (self.dir / res["path"]).as_posix().replace("'", "''")
                self._con.execute(f"CREATE VIEW {res['name']} AS SELECT * FROM read_parquet('{path}')")
                self.tables[res["name"]] = TABLES[res["name"]]

    def query(self, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        with self._lock:
            cursor = self._con.cursor()
        try:
            rel = cursor.execute(sql, params or [])
            columns = [d[0] for d in rel.description]
            return columns, rel.fetchall()
        finally:
            cursor.close()

    def other(self, which: str) -> Path:
        """The folder of release `which` beside this one ('latest' or a number)."""
        if which in (str(self.number), "current"):
            return self.dir
        if self.root is None:
            raise HTTPException(404, f"this server serves a single release ({self.number}); no release {which!r}")
        number = latest_number(self.root) if which == LATEST else int(which) if which.isdigit() else None
        path = self.root / RELEASES / str(number)
        if number is None or not (path / "datapackage.json").is_file():
            raise HTTPException(
                404, f"no release {which!r}; releases: {', '.join(map(str, release_numbers(self.root))) or 'none'}"
            )
        return path


# -- helpers -----------------------------------------------------------------------------------------
def _check_code(code: str) -> None:
    if not re.fullmatch(CODE_PATTERN, code):
        raise HTTPException(
            404, f"{code!r} is not an occupation code: use a SOC code like 29-2071 (or a five-digit 1990s OES code)"
        )


def _parse(tbl: Table, column: str, raw: str) -> Any:
    arrow = tbl.column(column).type
    try:
        if pa.types.is_integer(arrow):
            return int(raw)
        if pa.types.is_decimal(arrow) or pa.types.is_floating(arrow):
            return Decimal(raw)
        if pa.types.is_boolean(arrow):
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
    except (ValueError, InvalidOperation):
        raise HTTPException(400, f"{column}={raw!r}: {column} is {arrow}; give a value of that type") from None
    if pa.types.is_list(arrow):
        raise HTTPException(400, f"{column} is a list column and cannot be filtered on")
    allowed = tbl.column(column).values
    if allowed and raw not in allowed:
        raise HTTPException(400, f"{column}={raw!r} is not one of: {', '.join(allowed)}")
    return raw


def _rows(columns: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [{c: jsonable(v) for c, v in zip(columns, r, strict=True)} for r in rows]


def _csv(columns: list[str], rows: list[tuple], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else (json.dumps(v) if isinstance(v, list) else v) for v in r] for r in rows])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _page_url(request: Request, offset: int) -> str:
    return str(request.url.include_query_params(offset=offset))


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


class HeadAsGet:
    """HEAD answered as GET without the body (same headers, ETag included), one route per path in OpenAPI."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: dict) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def _release(request: Request) -> ReleaseData:
    return request.app.state.release


Release = Annotated[ReleaseData, Depends(_release)]
router = APIRouter()


# -- routes ---------------------------------------------------------------------------------------------
@router.get("/", summary="What this server serves")
def index(data: Release) -> dict[str, Any]:
    return {
        "release": data.number,
        "created": data.package.get("created"),
        "tables": {r["name"]: {"rows": r["rows"], "url": f"/tables/{r['name']}"} for r in data.package["resources"]},
        "cards": data.package["occstats"].get("cards"),
        "endpoints": [
            "/occupations?q=",
            "/occupations/{soc}",
            "/occupations/{soc}/card",
            "/occupations/{soc}/series?measure=annual_median",
            "/tables",
            "/tables/{table}",
            "/releases",
            "/releases/{n}/changelog",
        ],
        "openapi": "/openapi.json",
    }


# -- releases --------------------------------------------------------------------------------
@router.get("/releases", summary="Every data release in the folder, newest first")
def releases(data: Release) -> list[dict[str, Any]]:
    if data.root is None:
        numbers, latest = [data.number], data.number
    else:
        numbers, latest = release_numbers(data.root), latest_number(data.root)
    out = []
    for n in sorted(numbers, reverse=True):
        folder = data.dir if n == data.number else data.other(str(n))
        log = json.loads((folder / "changelog.json").read_text())
        out.append(
            {
                "release": n,
                "created": log.get("created"),
                "previous_release": log.get("previous_release"),
                "latest": n == latest,
                "served": n == data.number,
                "bls_releases": log.get("bls_releases", []),
                "changelog": f"/releases/{n}/changelog",
            }
        )
    return out


@router.get("/releases/{which}", summary="A release's datapackage.json")
def release(data: Release, which: str) -> Response:
    folder = data.other(which)
    return Response((folder / "datapackage.json").read_bytes(), media_type="application/json")


@router.get("/releases/{which}/changelog", summary="What changed in a release (JSON or md)")
def release_changelog(data: Release, which: str, format: str = Query("json", pattern="^(json|md)$")) -> Response:
    folder = data.other(which)
    if format == "md":
        return PlainTextResponse((folder / "CHANGELOG.md").read_text(), media_type="text/markdown; charset=utf-8")
    return Response((folder / "changelog.json").read_bytes(), media_type="application/json")


# -- tables ----------------------------------------------------------------------------------
@router.get("/tables", summary="The tables of the release, with schemas and checksums")
def tables(data: Release) -> list[dict[str, Any]]:
    return [
        {
            "name": r["name"],
            "description": r["description"],
            "rows": r["rows"],
            "bytes": r["bytes"],
            "hash": r["hash"],
            "parquet": f"/releases/{data.number}/{r['path']}",
            "primaryKey": r["schema"]["primaryKey"],
            "fields": [f["name"] for f in r["schema"]["fields"]],
            "url": f"/tables/{r['name']}",
        }
        for r in data.package["resources"]
    ]


@router.get("/releases/{which}/tables/{filename}", summary="A table's Parquet file")
def parquet(data: Release, which: str, filename: str) -> Response:
    folder = data.other(which)
    name = filename.removesuffix(".parquet")
    path = folder / "tables" / f"{name}.parquet"
    if name not in TABLES or not filename.endswith(".parquet") or not path.is_file():
        raise HTTPException(404, f"no file tables/{filename} in release {which}")
    return FileResponse(path, media_type="application/vnd.apache.parquet")  # answers Range requests


@router.get("/tables/{name}", summary="Rows of a table, filtered by column=value")
def table_rows(
    data: Release,
    name: str,
    request: Request,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> Any:
    if name not in data.tables:
        raise HTTPException(404, f"no table {name!r} in release {data.number}; tables: {', '.join(data.tables)}")
    tbl = data.tables[name]
    where, params = [], []
    for column in dict.fromkeys(k for k in request.query_params if k not in RESERVED):
        if column not in tbl.names:
            raise HTTPException(400, f"{name} has no column {column!r}; filter on any of: {', '.join(tbl.names)}")
        values = [_parse(tbl, column, v) for v in request.query_params.getlist(column)]
        where.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
        params += values
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    order = ", ".join(f'"{k}"' for k in tbl.key)
    (_, [(total,)]) = data.query(f"SELECT count(*) FROM {name}{clause}", params)
    columns, rows = data.query(
        f"SELECT * FROM {name}{clause} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    if format == "csv":
        return _csv(columns, rows, f"{name}-release{data.number}.csv")
    return {
        "table": name,
        "release": data.number,
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": _page_url(request, offset + limit) if offset + limit < total else None,
        "rows": _rows(columns, rows),
    }


# -- occupations -----------------------------------------------------------------------------
def _occupation_rows(data: ReleaseData, where: str, params: list[Any]) -> tuple[list[str], list[tuple]]:
    if "soc_codes" in data.tables:
        sql = f"SELECT soc_code, soc_system, title, level, appears_in FROM soc_codes WHERE {where}"
    else:  # no derived code list: titles as the releases publish them
        parts = []
        if "oes_estimates" in data.tables:
            parts.append(
                "SELECT DISTINCT soc_code, soc_system, occ_title AS title, occ_level AS level FROM oes_estimates"
            )
        if "ep_projections" in data.tables:
            parts.append("SELECT DISTINCT soc_code, soc_system, occ_title AS title, NULL AS level FROM ep_projections")
        if not parts:
            raise HTTPException(404, f"release {data.number} has no occupation tables")
        sql = f"SELECT *, NULL AS appears_in FROM ({' UNION '.join(parts)}) WHERE {where}"
    return data.query(sql + " ORDER BY soc_code, soc_system", params)


@router.get("/occupations", summary="Search occupations by code prefix or title words")
def occupations(
    data: Release,
    request: Request,
    q: str = Query("", description="a code or code prefix (29-20), or words of the title (medical records)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
    all_codes: bool = Query(
        False, alias="all", description="also codes no release in the data uses (crosswalk and declared codes)"
    ),
) -> dict[str, Any]:
    text = q.strip()
    if re.fullmatch(r"\d{1,2}(-\d{0,4})?|\d{5}", text):
        where, params = "soc_code LIKE ?", [text + "%"]
    else:
        words = re.findall(r"\w+", text.lower())
        where = " AND ".join("lower(title) LIKE ?" for _ in words) or "true"
        params = [f"%{w}%" for w in words]
    if not all_codes and "soc_codes" in data.tables:
        where = f"({where}) AND len(appears_in) > 0"
    columns, rows = _occupation_rows(data, where, params)
    found = _rows(columns, rows)
    for item in found:
        item["url"] = f"/occupations/{item['soc_code']}"
    return {
        "q": q,
        "release": data.number,
        "total": len(found),
        "limit": limit,
        "offset": offset,
        "next": _page_url(request, offset + limit) if offset + limit < len(found) else None,
        "occupations": found[offset : offset + limit],
    }


@router.get("/occupations/{soc}", summary="An occupation code in every system that has it")
def occupation(data: Release, soc: str) -> dict[str, Any]:
    _check_code(soc)
    columns, rows = _occupation_rows(data, "soc_code = ?", [soc])
    if not rows:
        raise HTTPException(
            404, f"no occupation {soc} in release {data.number}; search with /occupations?q=<code or title words>"
        )
    out: dict[str, Any] = {"soc_code": soc, "release": data.number, "systems": _rows(columns, rows)}
    if "soc_crosswalk" in data.tables:
        cols = "from_system, from_code, to_system, to_code, to_title, relationship"
        out["maps_to"] = _rows(*data.query(f"SELECT {cols} FROM soc_crosswalk WHERE from_code = ? ORDER BY ALL", [soc]))
        cols = "from_system, from_code, from_title, to_system, to_code, relationship"
        out["maps_from"] = _rows(*data.query(f"SELECT {cols} FROM soc_crosswalk WHERE to_code = ? ORDER BY ALL", [soc]))
    out["card"] = f"/occupations/{soc}/card"
    out["series"] = f"/occupations/{soc}/series?measure=annual_median"
    return out


@router.get("/occupations/{soc}/card", summary="The occupation's fact card")
def card(data: Release, soc: str) -> Response:
    _check_code(soc)
    folder = data.dir / CARDS_DIR
    if not folder.is_dir():
        raise HTTPException(404, f"release {data.number} has no fact cards (it was published without them)")
    path = folder / f"{soc}.json"
    if not path.is_file():
        raise HTTPException(404, f"no fact card for {soc} in release {data.number}")
    return Response(path.read_bytes(), media_type="application/json")


@router.get("/occupations/{soc}/series", summary="One figure of the code in every OES release")
def series(
    data: Release,
    soc: str,
    measure: str = Query("annual_median", description=", ".join(MEASURES)),
    area: str = Query("99", description="BLS area code ('99' = United States)"),
    first: int | None = Query(None, alias="from", description="first reference year"),
    last: int | None = Query(None, alias="to", description="last reference year"),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> Any:
    _check_code(soc)
    if measure not in MEASURES:
        raise HTTPException(400, f"unknown measure {measure!r}; measures: {', '.join(MEASURES)}")
    params: list[Any] = [soc, area]
    years = ""
    if first is not None:
        years += " AND ref_year >= ?"
        params.append(first)
    if last is not None:
        years += " AND ref_year <= ?"
        params.append(last)
    if measure == "employment":
        if "oes_estimates" not in data.tables:
            raise HTTPException(404, f"release {data.number} has no OES estimates")
        sql = (
            "SELECT ref_year, ref_month, soc_system, soc_code, occ_level, occ_title AS title, employment AS value, "
            "employment_status AS status, employment_marker AS marker, NULL AS bound, source_sha256 "
            "FROM oes_estimates WHERE soc_code = ? AND area_code = ?"
        )
    else:
        if "oes_wages" not in data.tables:
            raise HTTPException(404, f"release {data.number} has no OES wages")
        basis, stat = WAGE_MEASURES[measure]
        sql = (
            "SELECT w.ref_year, w.ref_month, w.soc_system, w.soc_code, w.occ_level, e.occ_title AS title, "
            "w.value, w.status, w.marker, w.bound, w.source_sha256 FROM oes_wages w LEFT JOIN oes_estimates e USING "
            "(dataset, ref_year, area_type, area_code, naics_code, ownership_code, soc_code, occ_level) "
            "WHERE w.soc_code = ? AND w.area_code = ? AND w.basis = ? AND w.statistic = ?"
        )
        params[2:2] = [basis, stat]
        years = years.replace("ref_year", "w.ref_year")
    # cross-industry, all ownerships; one row per release (a code listed as broad and detailed: detailed)
    sql += years + " AND naics_code = '000000' AND ownership_code = '1235'"
    sql = (
        "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY ref_year "
        f"ORDER BY occ_level = 'detailed' DESC) AS rn FROM ({sql})) WHERE rn = 1 ORDER BY ref_year"
    )
    columns, rows = data.query(sql, params)
    if not rows:
        raise HTTPException(404, f"no OES figures for {soc} (area {area}) in release {data.number}")
    if format == "csv":
        return _csv(columns, rows, f"{soc}-{measure}-release{data.number}.csv")
    points = _rows(columns, rows)
    for p in points:
        p["release"] = oes_label(p["ref_year"], p["ref_month"])  # the one formatter every command uses
    systems = sorted({p["soc_system"] for p in points})
    return {
        "soc_code": soc,
        "measure": measure,
        "area_code": area,
        "release": data.number,
        "points": points,
        "note": (
            "figures for this exact code as each OES release published it"
            + (
                f"; the code belongs to {len(systems)} classifications here ({', '.join(systems)}): "
                "see /occupations/" + soc + " for how the definition changed"
                if len(systems) > 1
                else ""
            )
        ),
    }


# -- the app -----------------------------------------------------------------------------------------
def create_app(release_dir: Path) -> FastAPI:
    """The API over the release in `release_dir` (a folder holding datapackage.json)."""
    data = ReleaseData(Path(release_dir))
    app = FastAPI(
        title="occstats data release API",
        version=str(data.number),
        description=(
            f"Read-only access to occstats data release {data.number}: BLS occupational employment, wages "
            "and projections as published, with the release and raw file every figure came from. "
            "Every answer carries an ETag; send it back in If-None-Match to get 304."
        ),
    )
    app.state.release = data
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=METHODS, allow_headers=["*"], expose_headers=["ETag"]
    )

    @app.middleware("http")
    async def conditional(request: Request, call_next):
        if request.method != "GET":
            return await call_next(request)
        basis = f"{data.digest}\n{request.url.path}\n{request.url.query}"
        if request.url.path.startswith("/releases") and data.root is not None:  # the folder can gain releases
            basis += f"\n{release_numbers(data.root)}\n{latest_number(data.root)}"
        etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
        parts = request.url.path.strip("/").split("/")
        cache = IMMUTABLE_CACHE if len(parts) >= 2 and parts[0] == "releases" and parts[1].isdigit() else SHORT_CACHE
        match = request.headers.get("if-none-match")
        if match and _etag_matches(match, etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = etag
            response.headers["Cache-Control"] = cache
        return response

    app.add_middleware(HeadAsGet)  # outermost: everything inside sees a GET
    app.include_router(router)
    return app
