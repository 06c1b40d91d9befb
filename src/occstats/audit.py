"""`occstats audit`: check the BLS figures a career page quotes against the curated tables.

The page (plain text or HTML) is reduced to sentences; each dollar amount, percent and job count
is read with the words around it (which statistic: "median", "average", "lowest 10 percent"…;
which release: "in May 2008", "2010 to 2020"). Every figure is then matched, in one DuckDB join,
against every figure the curated tables hold for the occupation, within the rounding the page
uses ("$47,000" is within 500 of the figure; "8.7%" within 0.05). Verdicts:

- matches: the statistic the text claims, in the newest release that publishes it;
- stale: the claimed statistic, but of an older release (the card says what the newest says);
- mislabeled: a different statistic than the text claims (an "average" that is the median);
- inconsistent: the text claims a statistic the tables hold, but no release has this value;
- not_a_bls_figure: the words around it name no statistic BLS publishes here.

Exit status (documented in the CLI): 0 when every BLS figure matches, 4 when anything is stale,
mislabeled or inconsistent.
"""

from __future__ import annotations

import html.parser
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from occstats.errors import ConfigError
from occstats.lineage import from_store
from occstats.render import jsonable, render_wide
from occstats.sources.soc import layout
from occstats.store import Store

EXIT_CODES = {"ok": 0, "problems": 4}
PROBLEMS = ("stale", "mislabeled", "inconsistent")
VERDICTS = ("matches", *PROBLEMS, "not_a_bls_figure")


# -- reading the page ------------------------------------------------------------------------------
class _Text(html.parser.HTMLParser):
    SKIP = frozenset({"script", "style", "noscript"})
    BLOCK = frozenset({"p", "div", "li", "br", "h1", "h2", "h3", "h4", "tr", "td", "th", "title", "section", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        while self._stack and self._stack.pop() != tag:
            pass
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if any(t in self.SKIP for t in self._stack):
            return
        if self._stack and self._stack[-1] in ("title", "h1"):
            self.title.append(data)
        self.parts.append(data)


def page_text(raw: str) -> tuple[str, str]:
    """(title, body text) of a page; HTML is detected by its tags, plain text's title is its first line."""
    if re.search(r"<(html|body|p|div|title|h1)\b", raw, re.IGNORECASE):
        parser = _Text()
        parser.feed(raw)
        text = "".join(parser.parts)
        title = " ".join(" ".join(parser.title).split())
    else:
        text = raw
        title = next((line.strip() for line in raw.splitlines() if line.strip()), "")
    return title, re.sub(r"[ \t\xa0]+", " ", text)


# -- finding figures -------------------------------------------------------------------------------
@dataclass
class Claim:
    text: str  # the figure as written
    sentence: str
    kind: str  # dollar | percent | count
    value: Decimal
    tolerance: Decimal
    statistic: str | None  # what the words claim: median, mean, p10…, growth, jobs, employment_change, openings
    basis: str | None  # annual | hourly, for dollars
    year: int | None  # "in May 2008", "2010 to 2020" -> 2008 / 2010


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DOLLAR = re.compile(rf"\$\s?(?P<n>{_NUMBER})\s?(?P<scale>k\b|K\b|thousand\b|million\b)?")
_PERCENT = re.compile(rf"(?P<sign>-)?(?P<n>{_NUMBER})\s?(?:%|percent\b)")
_COUNT = re.compile(r"(?<![\$\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s(?:million|thousand))\b")
_PERIOD = re.compile(r"\b((?:19|20)\d\d)\s?(?:to|-|–|—|through)\s?((?:19|20)?\d\d)\b")
_MAY = re.compile(r"\b(?:May|in|of|as of)\s((?:19|20)\d\d)\b")

# statistic keywords for dollar figures, most specific first
_WAGE_WORDS: tuple[tuple[str, str], ...] = (
    (r"lowest 10 percent|bottom 10 ?(?:percent|%)|10th percentile", "p10"),
    (r"lowest 25 percent|bottom 25 ?(?:percent|%)|25th percentile|bottom quarter", "p25"),
    (r"highest 10 percent|top 10 ?(?:percent|%)|90th percentile", "p90"),
    (r"highest 25 percent|top 25 ?(?:percent|%)|75th percentile|top quarter", "p75"),
    (r"\bmedian\b", "median"),
    (r"\baverage\b|\bmean\b", "mean"),
)
_WAGE_TOPIC = re.compile(r"\b(wage|salary|salaries|pay|paid|earn|earned|earnings|income)\b", re.IGNORECASE)
_PERCENTILE_PHRASE = re.compile(r"(lowest|highest|top|bottom)\s$", re.IGNORECASE)
_GROWTH = re.compile(r"\b(grow|growth|increase|decline|decrease|change|projected|expand)", re.IGNORECASE)


def _decimal(number: str) -> tuple[Decimal, Decimal]:
    """('47,180') -> (47180, tolerance of the rounding the text uses)."""
    digits = number.replace(",", "")
    value = Decimal(digits)
    if "." in digits:
        return value, Decimal(5) * Decimal(10) ** (-len(digits.split(".")[1]) - 1)
    zeros = len(digits) - len(digits.rstrip("0")) if value else 0
    return value, Decimal(5) * Decimal(10) ** (min(zeros, 3) - 1)


def _scaled(number: str, scale: str | None) -> tuple[Decimal, Decimal]:
    value, tol = _decimal(number)
    factor = {"k": 1000, "thousand": 1000, "million": 1_000_000}.get((scale or "").lower(), 1)
    if factor > 1 and "." not in number:
        tol = Decimal(factor) / 2
    return value * factor, tol * factor


def _nearest(sentence: str, at: int, words: tuple[tuple[str, str], ...]) -> str | None:
    """The statistic whose keyword is closest before the figure (else closest after) in the sentence."""
    best: tuple[int, str] | None = None
    for pattern, name in words:
        for m in re.finditer(pattern, sentence, re.IGNORECASE):
            distance = at - m.end() if m.end() <= at else 10_000 + m.start() - at
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def _year(sentence: str) -> int | None:
    period = _PERIOD.search(sentence)
    if period:
        return int(period.group(1))
    may = _MAY.search(sentence)
    return int(may.group(1)) if may else None


def _sentences(text: str) -> list[str]:
    out = []
    for block in text.split("\n"):
        out.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", block) if s.strip())
    return out


def _dollars(sentence: str, year: int | None, taken: list[tuple[int, int]]) -> list[Claim]:
    claims = []
    for m in _DOLLAR.finditer(sentence):
        value, tol = _scaled(m.group("n"), m.group("scale"))
        after = sentence[m.end() : m.end() + 20].lower()
        hourly = bool(re.match(r"\s*(per hour|an hour|/hour|/hr|hourly|a hour)", after)) or (
            "hour" in sentence.lower() and value < 500 and "year" not in after
        )
        stat = _nearest(sentence, m.start(), _WAGE_WORDS)
        if stat is None and _WAGE_TOPIC.search(sentence) is None:
            stat = "unknown"
        basis = "hourly" if hourly else "annual"
        claims.append(Claim(m.group(0).strip(), sentence, "dollar", value, tol, stat, basis, year))
        taken.append(m.span())
    return claims


def _percents(sentence: str, year: int | None, taken: list[tuple[int, int]]) -> list[Claim]:
    claims = []
    for m in _PERCENT.finditer(sentence):
        if _PERCENTILE_PHRASE.search(sentence[: m.start()]):
            continue  # "lowest 10 percent": part of a statistic's name, not a figure
        value, tol = _decimal(m.group("n"))
        before = sentence[max(0, m.start() - 40) : m.start()].lower()
        if m.group("sign") or re.search(r"\b(decline|decrease|shrink|fall|drop)\w*\b", before):
            value = -value
        stat = "growth" if _GROWTH.search(sentence) else "unknown"
        claims.append(Claim(m.group(0).strip(), sentence, "percent", value, tol, stat, None, year))
        taken.append(m.span())
    return claims


def _count_statistic(sentence: str, after: str) -> str:
    lower = sentence.lower()
    if "opening" in after or ("opening" in lower and "job" not in after):
        return "openings"
    if re.search(r"\b(add|adding|added|new jobs|increase of|grow by|change)\b", lower):
        return "employment_change" if re.search(r"new jobs|add", lower + after) else "jobs"
    if re.search(r"\b(jobs|employ\w*|held|workers|positions)\b", lower):
        return "jobs"
    return "unknown"


def _counts(sentence: str, year: int | None, taken: list[tuple[int, int]]) -> list[Claim]:
    claims = []
    for m in _COUNT.finditer(sentence):
        if any(a <= m.start() < b for a, b in taken):
            continue
        number, _, scale = m.group("n").partition(" ")
        value, tol = _scaled(number, scale or None)
        if value < 1000 or (1900 <= value <= 2100 and "," not in number):
            continue  # a year or a small number, not a job count
        stat = _count_statistic(sentence, sentence[m.end() : m.end() + 30].lower())
        claims.append(Claim(m.group(0).strip(), sentence, "count", value, tol, stat, None, year))
    return claims


def find_claims(text: str) -> list[Claim]:
    """Every dollar amount, percent and job count, sentence by sentence, with what its words claim."""
    claims: list[Claim] = []
    for sentence in _sentences(text):
        taken: list[tuple[int, int]] = []
        year = _year(sentence)
        claims += _dollars(sentence, year, taken)
        claims += _percents(sentence, year, taken)
        claims += _counts(sentence, year, taken)
    return claims


# -- what the tables hold ---------------------------------------------------------------------------
def _oes_label(year: int, month: int | None) -> str:
    return f"OES {'May ' if month == 5 else ''}{year}"


def _same_occupation_systems(store: Store, code: str) -> list[str]:
    """Systems where `code` is the same occupation as in its newest system (one-to-one)."""
    cls = from_store(store)
    systems = cls.systems_with(code)
    if not systems:
        raise ConfigError(f"{code} is not an occupation code the curated tables know")
    newest = systems[-1]
    return [s for s in systems if s == newest or cls.relationship(s, code, newest, code) == "one-to-one"]


def candidates(store: Store, code: str) -> pa.Table:
    """Every figure the curated tables hold for the occupation, long form (kind, statistic, basis, value…)."""
    systems = _same_occupation_systems(store, code)
    rows: list[dict[str, Any]] = []
    national = (
        (pc.field("soc_code") == code)
        & pc.field("soc_system").isin(systems)
        & (pc.field("area_type") == "national")
        & (pc.field("naics_code") == "000000")
    )
    if store.exists("oes_wages"):
        for r in store.read("oes_wages", where=national & (pc.field("status") == "estimate")).to_pylist():
            rows.append(
                {
                    "kind": "dollar",
                    "statistic": r["statistic"],
                    "basis": r["basis"],
                    "family": f"oes_wages:{r['basis']}:{r['statistic']}",
                    "release": _oes_label(r["ref_year"], r["ref_month"]),
                    "year": r["ref_year"],
                    "value": r["value"],
                    "table": "oes_wages",
                    "source_sha256": r["source_sha256"],
                }
            )
    if store.exists("oes_estimates"):
        for r in store.read(
            "oes_estimates", where=national & (pc.field("employment_status") == "estimate")
        ).to_pylist():
            rows.append(
                {
                    "kind": "count",
                    "statistic": "jobs",
                    "basis": None,
                    "family": "oes_estimates:employment",
                    "release": _oes_label(r["ref_year"], r["ref_month"]),
                    "year": r["ref_year"],
                    "value": Decimal(r["employment"]),
                    "table": "oes_estimates",
                    "source_sha256": r["source_sha256"],
                }
            )
    if store.exists("ep_projections"):
        where = (pc.field("soc_code") == code) & pc.field("soc_system").isin(systems)
        ep_figures = (
            ("employment_base", "count", "jobs"),
            ("change_number", "count", "employment_change"),
            ("openings_annual_avg", "count", "openings"),
            ("change_pct", "percent", "growth"),
        )
        for r in store.read("ep_projections", where=where).to_pylist():
            for column, kind, stat in ep_figures:
                if r[column] is None:
                    continue
                rows.append(
                    {
                        "kind": kind,
                        "statistic": stat,
                        "basis": None,
                        "family": f"ep_projections:{column}",
                        "release": f"EP {r['base_year']}-{r['target_year'] % 100:02d}",
                        "year": r["base_year"],
                        "value": Decimal(r[column]),
                        "table": "ep_projections",
                        "source_sha256": r["source_sha256"],
                    }
                )
    schema = pa.schema(
        [
            ("kind", pa.string()),
            ("statistic", pa.string()),
            ("basis", pa.string()),
            ("family", pa.string()),
            ("release", pa.string()),
            ("year", pa.int32()),
            ("value", pa.decimal128(18, 2)),
            ("table", pa.string()),
            ("source_sha256", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# -- finding the occupation -------------------------------------------------------------------------
_STOP = {"and", "or", "the", "of", "a", "an", "all", "other", "salary", "salaries", "pay", "career", "careers", "job"}
_STOP |= {"jobs", "outlook", "how", "to", "become", "what", "do", "in", "for", "guide", "wage", "wages", "2024", "us"}


def _words(text: str) -> set[str]:
    found = set()
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in _STOP or len(w) < 2:
            continue
        found.add(w[:-1] if w.endswith("s") and len(w) > 3 else w)
    return found


def find_occupation(store: Store, title: str) -> dict[str, Any]:
    """The occupation whose title words the page title covers best (all of them, ideally)."""
    page = _words(title)
    if not page:
        raise ConfigError("the page has no title to find the occupation from; give --soc CODE")
    con = duckdb.connect()
    con.register("ep", store.dataset("ep_projections"))
    titles = con.execute(
        "SELECT soc_code, arg_max(occ_title, base_year), max(base_year), bool_or(occ_type = 'line_item') "
        "FROM ep GROUP BY soc_code"
    ).fetchall()
    best: tuple[Any, ...] | None = None
    for code, occ_title, year, line_item in titles:
        words = _words(occ_title)
        if not words:
            continue
        covered = len(words & page)
        score = (covered / len(words), covered, line_item, year)
        if best is None or score > best[0]:
            best = (score, code, occ_title)
    if best is None or best[0][0] < 0.6:
        raise ConfigError(f"no occupation title matches the page title {title!r}; give --soc CODE")
    return {"soc_code": best[1], "title": best[2], "found_by": f"page title words: {title!r}"}


# -- matching ----------------------------------------------------------------------------------------
def check(store: Store, code: str, claims: list[Claim]) -> list[dict[str, Any]]:
    cands = candidates(store, code)
    claim_rows = pa.Table.from_pylist(
        [
            {"id": i, "kind": c.kind, "basis": c.basis, "value": c.value, "tol": c.tolerance}
            for i, c in enumerate(claims)
        ],
        schema=pa.schema(
            [
                ("id", pa.int32()),
                ("kind", pa.string()),
                ("basis", pa.string()),
                ("value", pa.decimal128(18, 4)),
                ("tol", pa.decimal128(18, 4)),
            ]
        ),
    )
    con = duckdb.connect()
    con.register("cands", cands)
    con.register("claims", claim_rows)
    hits = con.execute(
        """
        WITH newest AS (SELECT family, max(year) AS year FROM cands GROUP BY family),
        newest_value AS (
            SELECT c.family, c.statistic, c.basis, c.release, c.value, c.source_sha256
            FROM cands c JOIN newest n USING (family, year)
        )
        SELECT k.id, c.statistic, c.basis, c.release, c.year, c.value, c.table, c.source_sha256,
               c.year = n.year AS is_newest, nv.release AS newest_release, nv.value AS newest_value,
               nv.source_sha256 AS newest_sha256
        FROM claims k
        JOIN cands c ON c.kind = k.kind AND abs(c.value - k.value) <= k.tol
                        AND (k.basis IS NULL OR c.basis IS NULL OR c.basis = k.basis)
        JOIN newest n ON n.family = c.family
        JOIN newest_value nv ON nv.family = c.family
        ORDER BY k.id, c.year DESC
        """
    ).fetchall()
    newest_by_stat = con.execute(
        "SELECT statistic, basis, release, value FROM cands c JOIN "
        "(SELECT family, max(year) AS year FROM cands GROUP BY family) n USING (family, year) ORDER BY year"
    ).fetchall()
    names = ["id", "statistic", "basis", "release", "year", "value", "table", "source_sha256", "is_newest"]
    names += ["newest_release", "newest_value", "newest_sha256"]
    by_claim: dict[int, list[dict[str, Any]]] = {}
    for hit in hits:
        by_claim.setdefault(hit[0], []).append(dict(zip(names, hit, strict=True)))
    newest = {(s, b): (r, v) for s, b, r, v in newest_by_stat}
    return [_verdict(c, by_claim.get(i, []), newest) for i, c in enumerate(claims)]


def _verdict(
    claim: Claim, hits: list[dict[str, Any]], newest: dict[tuple[str, str | None], tuple[str, Any]]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "figure": claim.text,
        "claimed": claim.statistic,
        "basis": claim.basis,
        "year_in_text": claim.year,
        "context": claim.sentence,
    }
    claimed = None if claim.statistic == "unknown" else claim.statistic
    same = [h for h in hits if claimed is None or h["statistic"] == claimed]
    if claimed is None and not hits:
        return {**out, "verdict": "not_a_bls_figure", "detail": "the words around it name no statistic BLS publishes"}
    if same:
        # the same figure can sit in several releases; the newest of them decides
        best = next((h for h in same if h["is_newest"]), same[0])
        if claim.year is not None and not any(h["year"] == claim.year for h in same):
            out["note"] = f"the text dates it {claim.year}; the figure is {best['release']}'s"
        if best["is_newest"]:
            detail = f"{best['statistic']} {best['basis'] or ''}".strip() + f", {best['release']}"
            return {**out, **_hit(best), "verdict": "matches", "detail": detail}
        detail = (
            f"{best['statistic']} of {best['release']}; the newest release ({best['newest_release']}) says "
            f"{_show(best['newest_value'])}"
        )
        return {**out, **_hit(best), "verdict": "stale", "detail": detail}
    if hits:
        best = hits[0]
        detail = f"the text says {claimed}; {claim.text} is the {best['statistic']} ({best['release']})"
        return {**out, **_hit(best), "verdict": "mislabeled", "detail": detail}
    latest = newest.get((claimed, claim.basis)) or next(
        ((r, v) for (s, _), (r, v) in newest.items() if s == claimed), None
    )
    detail = "no release has this value within the text's rounding"
    if latest:
        detail += f"; the newest {claimed} ({latest[0]}) is {_show(latest[1])}"
    return {**out, "verdict": "inconsistent", "detail": detail}


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    return {
        "matched_statistic": hit["statistic"],
        "matched_release": hit["release"],
        "matched_value": hit["value"],
        "table": hit["table"],
        "source_sha256": hit["source_sha256"],
        "newest_release": hit["newest_release"],
        "newest_value": hit["newest_value"],
    }


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,}"
    return str(value)


# -- the audit ---------------------------------------------------------------------------------------
def audit_text(store: Store, raw: str, soc: str | None = None) -> dict[str, Any]:
    title, text = page_text(raw)
    occupation = {"soc_code": soc, "title": None, "found_by": "--soc"} if soc else find_occupation(store, title)
    cls = from_store(store, with_usage=True)
    systems = cls.systems_with(occupation["soc_code"])
    if systems and systems[-1] != layout.SYSTEM_ORDER[-1]:
        successors = [link.code for link in cls.links(systems[-1], occupation["soc_code"], layout.SYSTEM_ORDER[-1])]
        occupation["superseded_by"] = successors
    results = check(store, occupation["soc_code"], find_claims(text))
    counts = {v: sum(r["verdict"] == v for r in results) for v in VERDICTS}
    outcome = "problems" if any(counts[v] for v in PROBLEMS) else "ok"
    return jsonable({"occupation": occupation, "figures": results, "counts": counts, "outcome": outcome})


def audit_file(store: Store, path: Path, soc: str | None = None) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the page ({exc.strerror})") from exc
    return audit_text(store, raw, soc)


def render_audit(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result, indent=2)
    occ = result["occupation"]
    head = f"{occ['soc_code']} {occ.get('title') or ''} (found by {occ['found_by']})".strip()
    if occ.get("superseded_by"):
        head += f"\nnote: {occ['soc_code']} was replaced in SOC 2018 by {', '.join(occ['superseded_by'])}"
    columns = ["figure", "claimed", "verdict", "release", "detail"]
    rows = [(r["figure"], r["claimed"], r["verdict"], r.get("matched_release"), r["detail"]) for r in result["figures"]]
    counts = ", ".join(f"{n} {v}" for v, n in result["counts"].items() if n)
    return f"{head}\n{render_wide(columns, rows)}\n{counts or 'no figures found'}"


__all__ = ["Claim", "audit_file", "audit_text", "find_claims", "page_text"]
