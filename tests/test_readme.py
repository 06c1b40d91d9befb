"""README.md, true and kept so: every fenced block is run (or checked against the code) by a test here.

Every ``` block in the README is found by `blocks()`. A block is covered when its first line is a key
of COVERED (the test that runs it) or when it follows a `<!-- recipe: NAME -->` marker (tests/test_recipes.py
runs those). A block nobody covers fails `test_every_readme_block_is_covered`, naming the block and
how to cover it, so a new README command cannot go untested. The tests read the blocks from the
README as they stand (never a copy), so an edit that breaks a command fails here.

Commands are run as a user runs them, with three translations only: `occstats` / `.venv/bin/occstats`
is `python -m occstats.cli` of this checkout, `.venv/bin/python` / `.venv/bin/ruff` are this interpreter's,
and `../shared` is the real BLS material (a symlink beside a scratch checkout, so the path stays as written).
Prose claims that can be checked against the code are checked at the end.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from occstats import schema
from occstats.cli import build_parser
from occstats.labels import release_label
from occstats.lineage import MEASURES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
RECIPE_MARK = re.compile(r"<!-- recipe: (\w+) -->\s*$")

# first line of a README block -> the test here that runs it (or checks it against the code)
COVERED = {
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/occstats refresh all --mirror '
    "../shared/bls-mirror": "test_setup_installs_the_command_and_ci_does_the_same test_main_job_as_written",
    ".venv/bin/python -m pytest": "test_ci_runs_the_readme_test_command",
    "occstats refresh oes [--years 2008,2010-2025] [--mirror M] [--user-agent UA]   # runs the Prefect flow": (
        "test_command_synopsis_matches_the_parser"
    ),
    "occstats query \"select * from ooh_quickfacts where soc_code = '29-2071' and base_year = 2010\"": (
        "test_examples_run_as_written"
    ),
    "src/occstats/": "test_layout_names_files_that_exist_and_every_product_package",
    ".venv/bin/ruff check . && .venv/bin/ruff format --check .": "test_development_commands",
    'occstats check all --mirror ../shared/bls-mirror     # after a refresh: "nothing new upstream", exit 0': (
        "test_main_job_as_written"
    ),
    "export AWS_ENDPOINT_URL=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_REGION=us-east-1": (
        "test_object_storage_as_written"
    ),
}


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # of the opening fence, 1-based
    recipe: str | None

    @property
    def first(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")

    def where(self) -> str:
        return f"README.md line {self.line} (```{self.lang} block starting {self.first[:70]!r})"


def blocks() -> list[Block]:
    text = README.read_text()
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").splitlines()
        marker = RECIPE_MARK.search(before[-1]) if before else None
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(match.group(1), match.group(2), line, marker.group(1) if marker else None))
    return found


def block(first: str) -> Block:
    """The README block a test covers, found by its first line (a rename of that line fails the coverage test)."""
    matches = [b for b in blocks() if b.first == first.strip()]
    assert matches, f"README.md has no block starting {first!r} any more: update COVERED in tests/test_readme.py"
    return matches[0]


def commands(text: str) -> list[list[str]]:
    """Shell commands of a block: comments dropped, a quoted argument may run over several lines."""
    result, pending = [], ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        pending = ""
        if words:
            result.append(words)
    assert not pending, f"unclosed quote in {pending!r}"
    return result


def and_chain(words: list[str]) -> list[list[str]]:
    chain: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            chain.append([])
        else:
            chain[-1].append(word)
    return chain


def translate(words: list[str]) -> list[str]:
    """A README command as this checkout runs it (the module docstring lists the only translations)."""
    head, *rest = words
    if head in ("occstats", ".venv/bin/occstats"):
        return [sys.executable, "-m", "occstats.cli", *rest]
    if head == ".venv/bin/python":
        return [sys.executable, *rest]
    if head == ".venv/bin/ruff":
        ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
        if ruff is None:
            pytest.skip("ruff is not installed beside this interpreter (it is in the dev extras)")
        return [ruff, *rest]
    raise AssertionError(f"no translation for {head!r}: add one to translate() in tests/test_readme.py")


def env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])
    # as a new user runs them: no data dir, mirror, Prefect server or home of ours (in-process CLI tests set one)
    unset = ("OCCSTATS_DATA_DIR", "OCCSTATS_MIRROR", "PREFECT_API_URL", "PREFECT_HOME")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return {**base, "PYTHONPATH": path, **extra}


def run(words: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(translate(words), cwd=cwd, env=env(), capture_output=True, text=True, timeout=timeout)


def checkout_beside(shared: Path, tmp: Path) -> Path:
    """A scratch directory with `../shared` beside it, so a README path like ../shared/bls-mirror runs as written."""
    (tmp / "shared").symlink_to(shared, target_is_directory=True)
    (tmp / "checkout").mkdir()
    return tmp / "checkout"


# -- coverage -------------------------------------------------------------------------------------------------
def test_every_readme_block_is_covered():
    tests = {name for name in globals() if name.startswith("test_")}
    uncovered, stale = [], []
    for b in blocks():
        if b.recipe is not None:
            if b.lang != "python":
                uncovered.append(f"{b.where()}: a recipe marker must precede a ```python block")
            continue
        covering = COVERED.get(b.first)
        if covering is None:
            uncovered.append(
                f"{b.where()} is run by no test. Cover it: write a test in tests/test_readme.py that runs the block "
                f"(block(FIRST_LINE), then commands() and run(); see test_examples_run_as_written) and add its "
                f"first line to COVERED with the test's name; or, for a Python recipe, put `<!-- recipe: NAME -->` "
                f"on the line before it and add NAME to tests/test_recipes.py"
            )
        else:
            stale += [
                f"{b.where()}: COVERED names {t!r}, which is no test here" for t in covering.split() if t not in tests
            ]
    firsts = {b.first for b in blocks()}
    stale += [f"COVERED lists {key!r}, which starts no README block" for key in COVERED if key not in firsts]
    assert not uncovered and not stale, "\n".join(uncovered + stale)


def test_an_uncovered_block_fails_naming_it_and_how_to_cover_it(tmp_path, monkeypatch):
    """What another section's new block (e.g. a "Schedule it" command) meets until a test runs it."""
    readme = tmp_path / "README.md"
    readme.write_text(README.read_text() + "\n## Schedule it\n\n```sh\noccstats deploy --cron '0 6 * * *'\n```\n")
    line = len(README.read_text().splitlines()) + 4
    monkeypatch.setattr(sys.modules[__name__], "README", readme)
    with pytest.raises(AssertionError) as failure:
        test_every_readme_block_is_covered()
    message = str(failure.value)
    assert (
        f"README.md line {line} (```sh block starting \"occstats deploy --cron '0 6 * * *'\") is run by no test"
        in message
    )
    assert "add its first line to COVERED with the test's name" in message


def test_recipes_are_run_by_test_recipes():
    from test_recipes import recipes

    marked = {b.recipe for b in blocks() if b.recipe}
    assert marked == set(recipes()), "each <!-- recipe: NAME --> block is run by tests/test_recipes.py"


# -- the first screen: set up and run the main job; run the tests ----------------------------------------------
SETUP = next(iter(COVERED))


def test_setup_installs_the_command_and_ci_does_the_same():
    """The install half of the first command (a test cannot install from the registry): what it relies on holds."""
    import tomllib

    (chain,) = commands(block(SETUP).text)
    venv, install, refresh = and_chain(chain)
    assert venv == ["python3", "-m", "venv", ".venv"]
    assert install == [".venv/bin/pip", "install", "-e", ".[dev]"]
    assert refresh[0] == ".venv/bin/occstats"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["occstats"] == "occstats.cli:main", "the command the README runs"
    assert "dev" in project["project"]["optional-dependencies"]
    # a non-editable install carries the listed packages only: every package in the tree must be listed
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")} | {
        "flows"
    }
    assert on_disk <= listed, f"packages missing from pyproject.toml [tool.setuptools] packages: {on_disk - listed}"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m venv --clear .venv" in ci and '.venv/bin/python -m pip install --quiet -e ".[dev]"' in ci
    readme = README.read_text()
    assert "source .venv/bin/activate" in readme, "after the main job the README says how to get occstats on PATH"


def test_ci_runs_the_readme_test_command():
    """`.venv/bin/python -m pytest` is this very suite: CI runs exactly that line, on a clean clone."""
    (words,) = commands(block(".venv/bin/python -m pytest").text)
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert ci[-1] == shlex.join(words)


@pytest.mark.shared
@pytest.mark.prefect
def test_main_job_as_written(shared, tmp_path):
    """The README's main job, run as written (through Prefect, against ../shared/bls-mirror), and what it says."""
    (chain,) = commands(block(SETUP).text)
    refresh = and_chain(chain)[-1]
    checkout = checkout_beside(shared, tmp_path)
    done = run(refresh, cwd=checkout, timeout=1800)
    out = done.stdout
    assert done.returncode == 3, (out + done.stderr)[-3000:]
    assert "FAILED" not in out
    assert "Traceback" not in done.stderr, "the embedded server's shutdown noise goes to its log, not the terminal"
    assert (checkout / "data" / ".prefect" / "server.log").is_file(), "the embedded server's output went to its log"
    # the README's account of the run
    oes = re.search(r"^oes: (.*)$", out, re.MULTILINE)
    assert oes and set(oes.group(1).split(", ")) == {"20 curated", "1 not yet published", "9 unavailable"}, out
    for year in (*range(1997, 2004), 2006, 2009):  # "OES 1997" ... "OES Nov 2002", "OES May 2003"
        assert f"UNAVAILABLE: {release_label('oes', str(year))}: the mirror does not have it" in out
    assert re.search(r"^ep: .*\b1 curated\b", out, re.MULTILINE), out
    assert re.search(r"^oes-industry: .*\b12 curated\b", out, re.MULTILINE), out  # May 2008-2019
    assert re.search(r"^ep-matrix: 474 unavailable$", out, re.MULTILINE), out
    assert "… and 462 more unavailable" in out
    assert "UNAVAILABLE: OES_TIMESERIES current: the mirror does not have it" in out and "oe.data.0.Current" in out
    # the closing lines
    data = (checkout / "data").resolve()
    lines = out.splitlines()
    assert lines[-5] == f"data directory: {data} (tables in curated/, landed files in raw/)"
    assert lines[-2] == "next: occstats tables   occstats series 29-1141 --measure annual_median"
    assert lines[-1].startswith("exit 3: only releases the source does not have are missing")
    # the commands the closing lines suggest work, as written
    tables, series = (shlex.split(s) for s in lines[-2].removeprefix("next: ").split("   "))
    listed = run(tables, cwd=checkout)
    assert listed.returncode == 0 and "oes_wages" in listed.stdout, listed.stderr
    nurses = run(series, cwd=checkout)
    assert nurses.returncode == 0 and "29-1141" in nurses.stdout and "OES May 2025" in nurses.stdout, nurses.stderr
    # "Schedule it": after the refresh, check finds nothing new; deploy creates the deployments (embedded server)
    check, deploy = commands(block(SCHEDULE).text)
    checked = run(check, cwd=checkout)
    said = (checked.stdout + checked.stderr)[-2000:]
    assert checked.returncode == 0 and "nothing new upstream" in checked.stdout, said
    deployed = run(deploy, cwd=checkout, timeout=900)
    assert deployed.returncode == 0, (deployed.stdout + deployed.stderr)[-2000:]
    assert "refresh-oes/occstats" in deployed.stdout and "occstats: refresh failed" in deployed.stdout


SCHEDULE = next(k for k, v in COVERED.items() if k.startswith("occstats check all"))
S3_BLOCK = next(k for k, v in COVERED.items() if v == "test_object_storage_as_written")


@pytest.mark.shared
@pytest.mark.prefect
def test_object_storage_as_written(shared, tmp_path):
    """The README's object-storage block against a real S3 server on loopback (moto): the exported endpoint and
    keys are the README's placeholders, replaced by the local server's; bucket and commands are as written.
    The national releases land in the bucket, a second refresh writes nothing, and `tables` reads from it."""
    from s3server import SECRET_KEY, aws_env, create_bucket, moto_server

    export, first, again, tables = commands(block(S3_BLOCK).text)
    assert export[0] == "export"
    checkout = checkout_beside(shared, tmp_path)
    try:
        server = moto_server()
        endpoint = server.__enter__()
    except RuntimeError as exc:
        pytest.skip(f"no local S3 server: {exc}")
    try:
        local = aws_env(endpoint)
        names = [word.split("=", 1)[0] for word in export[1:]]
        assert set(names) <= set(local), f"the README exports {names}; the test server gives {sorted(local)}"
        variables = {**{n: local[n] for n in names}, "OCCSTATS_CACHE_DIR": str(tmp_path / "cache")}
        bucket = first[first.index("--data-dir") + 1]
        create_bucket(endpoint, bucket.removeprefix("s3://").split("/")[0])

        def go(words: list[str]) -> subprocess.CompletedProcess:
            done = subprocess.run(
                translate(words), cwd=checkout, env=env(**variables), capture_output=True, text=True, timeout=1800
            )
            assert SECRET_KEY not in done.stdout + done.stderr
            return done

        done = go(first)
        assert done.returncode == 3 and "oes: 20 curated" in done.stdout, (done.stdout + done.stderr)[-3000:]
        done = go(again)
        assert done.returncode == 3, (done.stdout + done.stderr)[-3000:]
        assert "20 unchanged" in done.stdout and "no version written" in done.stdout, done.stdout[-3000:]
        done = go(tables)
        assert done.returncode == 0 and "OES May 2004-2005, 2007-2008, 2010-2025" in done.stdout, done.stdout
    finally:
        server.__exit__(None, None, None)


def test_every_products_artifact_key_is_one_prefect_accepts():
    """The main job leaves an artifact per product; a key Prefect refuses ended it in a traceback (oes_timeseries)."""
    from prefect.artifacts import MarkdownArtifact

    from flows.refresh import artifact_key
    from occstats.products import REGISTRY

    for name in REGISTRY:
        MarkdownArtifact(key=artifact_key(name), markdown="x")  # raises on a key Prefect does not take


# -- the command list ------------------------------------------------------------------------------------------
def _subparsers() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


def _options(sub) -> dict[str, object]:
    return {flag: action for action in sub._actions for flag in action.option_strings}


SYNOPSIS = "occstats refresh oes [--years 2008,2010-2025] [--mirror M] [--user-agent UA]   # runs the Prefect flow"


def test_command_synopsis_matches_the_parser():
    """Each line of the command list names a real subcommand, real options, real choices; every command is listed."""
    subs = _subparsers()
    listed = set()
    for raw in block(SYNOPSIS).text.splitlines():
        line = raw.split("  #")[0].strip()
        if not line:
            continue
        words = line.replace("[", " ").replace("]", " ").split()
        assert words[0] == "occstats" and words[1] in subs, f"unknown command in {raw!r}"
        sub, listed = subs[words[1]], listed | {words[1]}
        options = _options(sub)
        positional = [a for a in sub._actions if not a.option_strings and a.dest != "help"]
        for n, word in enumerate(words[2:], start=2):
            if word.startswith("--"):
                assert word in options, f"{raw!r}: `occstats {words[1]}` has no option {word}"
            elif "|" in word or word == "|":
                choices = [c for c in word.split("|") if c and c != "…"]
                flag = words[n - 1]
                if flag.startswith("--"):
                    action = options[flag]
                    allowed = action.choices or (MEASURES if flag == "--measure" else None)
                    if allowed is not None:  # else a free value (FILE.png|svg, latest|N)
                        assert set(choices) <= set(allowed), f"{raw!r}: {choices} are not all among {allowed}"
        if positional and positional[0].choices:
            named = {w for w in " ".join(words[2:]).replace("|", " ").split()} & set(positional[0].choices)
            assert named, f"{raw!r} names none of {positional[0].choices}"
            assert named <= set(positional[0].choices)
    assert listed == set(subs), f"commands missing from the README's command list: {sorted(set(subs) - listed)}"
    without = [name for name, sub in subs.items() if "--data-dir" not in _options(sub)]
    assert not without, f"README: 'Every command takes --data-dir D'; these do not: {without}"


def test_exit_statuses_the_run_explains_are_the_readmes():
    from occstats.report import EXIT_MEANINGS

    text = " ".join(README.read_text().split())
    statuses = text.split("Exit status: ", 1)[1].split(". ", 1)[0]
    for code in (*EXIT_MEANINGS, 2, 4, 141):
        assert re.search(rf"\b{code} ", statuses), f"README's exit statuses do not explain {code}"


# -- the examples, run as written against real curated data ----------------------------------------------------
EXAMPLES = "occstats query \"select * from ooh_quickfacts where soc_code = '29-2071' and base_year = 2010\""
EXAMPLE_OES_YEARS = [2008, 2010, 2019, 2021]


@pytest.fixture(scope="module")
def examples_dir(shared, tmp_path_factory) -> Path:
    """A checkout with `data/` curated from the real files: the SOC structures, four OES releases, and
    `occstats import ep ../shared/bls/ep/*.xlsx` as the README says the first example needs (run by the CLI)."""
    from occstats.pipeline import State, refresh
    from occstats.settings import Settings

    checkout = checkout_beside(shared, tmp_path_factory.mktemp("examples"))
    settings = Settings(data_dir=checkout / "data", mirror=str(shared / "bls-mirror"), http_retries=0, task_retries=0)
    for product, years in (("soc", None), ("oes", EXAMPLE_OES_YEARS)):
        report = refresh(settings, product, years)
        assert not report.failed, [o.detail for o in report.failed]
        assert any(o.state is State.CURATED for o in report.outcomes)
    prose = re.search(r"the first needs `(occstats import ep [^`]+)`", README.read_text())
    assert prose, "the README says what the first example needs"
    words = shlex.split(prose.group(1))
    files = sorted(str(p) for pattern in words[3:] for p in checkout.glob(pattern))  # the shell's glob
    done = run([*words[:3], *files], cwd=checkout)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return checkout


def _published_annual_median(shared: Path, year: int, code: str) -> Decimal | None:
    """The figure in BLS's own workbook, read without occstats (None where the release has no such code)."""
    (path,) = [p for p in (shared / "bls" / "oes" / str(year)).iterdir() if p.name.lower().startswith("national")]
    frame = pd.read_excel(path, engine="calamine", dtype=str)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    rows = frame.loc[frame["occ_code"].str.strip() == code, "a_median"]
    assert len(rows) <= 1, f"{path}: {code} twice"
    return Decimal(rows.iloc[0].replace(",", "").strip()) if len(rows) else None


@pytest.mark.shared
def test_examples_run_as_written(examples_dir, shared):
    outputs = {}
    for words in commands(block(EXAMPLES).text):
        done = run(words, cwd=examples_dir)
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{shlex.join(words)}\n{done.stderr[-2000:]}"
        assert done.stdout.strip(), shlex.join(words)
        outputs[shlex.join(words)] = done.stdout
    quickfacts, lineage, titled, travel = outputs.values()
    assert "29-2071" in quickfacts and "(0 rows)" not in quickfacts
    # the lineage comment is a claim: every code it names is in the output
    comment = next(line for line in block(EXAMPLES).text.splitlines() if line.startswith("occstats lineage"))
    claimed = re.findall(r"\d\d-\d{4}", comment.split("#", 1)[1])
    assert claimed and all(code in lineage for code in claimed), (claimed, lineage)
    # the titled wages are BLS's figures, year by year (read from the workbooks without occstats)
    shown = {
        int(m.group(1)): Decimal(m.group(2))
        for m in re.finditer(r"^\s*(\d{4})\b.*?\b(\d+(?:\.\d+)?)\s*$", titled, re.M)
    }
    published = {year: _published_annual_median(shared, year, "29-2071") for year in EXAMPLE_OES_YEARS}
    assert shown == {year: value for year, value in published.items() if value is not None}, titled
    # time travel: the fixture writes oes_wages once, so version 0 holds every row the latest holds
    latest = run(["occstats", "query", "select count(*) from oes_wages", "--format", "csv"], cwd=examples_dir)
    counts = [line.strip() for line in travel.splitlines() if line.strip().isdigit()]
    assert latest.returncode == 0 and counts == [latest.stdout.split()[-1]], (travel, latest.stdout)


# -- the layout and the development commands -------------------------------------------------------------------
def test_layout_names_files_that_exist_and_every_product_package():
    text = block("src/occstats/").text
    where = ROOT / "src" / "occstats"
    names = set(re.findall(r"(?<![\w/])[a-z_<>]+(?:/[a-z_<>]+)*(?:\.py|/)", text))
    for name in sorted(n for n in names if "<" not in n):
        candidates = [ROOT / name, where / name, where / "sources" / "oes" / name]  # a product package's files
        assert any(c.exists() for c in candidates), f"the README's layout names {name}, which does not exist"
    packages = {p.name for p in (where / "sources").iterdir() if (p / "__init__.py").is_file()}
    missing = {p for p in packages if f"sources/{p}/" not in text}
    assert not missing, f"product packages the README's layout does not list: {sorted(missing)}"


def test_development_commands():
    """Lint and format as the README says, and `-m "not prefect"` leaves out exactly the Prefect tests."""
    lint, tests = commands(block(".venv/bin/ruff check . && .venv/bin/ruff format --check .").text)
    for words in and_chain(lint):
        done = run(words, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert tests[:3] == [".venv/bin/python", "-m", "pytest"] and tests[3:] == ["-m", "not prefect"]
    collect = run([*tests, "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=ROOT, timeout=300)
    assert collect.returncode == 0, collect.stdout[-2000:]
    kept = [line for line in collect.stdout.splitlines() if "::" in line]
    assert kept and not any(line.startswith("tests/test_cli.py::") for line in kept), "test_cli is all Prefect"
    assert re.search(r"\d+ deselected", collect.stdout)


# -- prose claims checked against the code ---------------------------------------------------------------------
def _what_you_get() -> set[str]:
    section = README.read_text().split("## What you get", 1)[1].split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]+)\|", section, re.MULTILINE)
    return {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}


def test_every_table_is_in_what_you_get():
    declared = set(schema.TABLES)
    listed = _what_you_get()
    assert listed - {"oes_wages_titled"} <= declared, f"listed but not declared: {listed - declared}"
    assert declared <= listed, f"declared in schema.py, missing from README 'What you get': {declared - listed}"


def test_rows_know_the_sha256_of_their_raw_file_except_the_tables_the_readme_names():
    """README: every row of a table parsed from a BLS file carries its file's sha256; it names the exceptions."""
    text = " ".join(README.read_text().split())
    without = {name for name, t in schema.TABLES.items() if not any(c.name.endswith("sha256") for c in t.columns)}
    claim = re.search(r"[Ee]very row of every table but ([^:]+?) knows", text)
    assert claim, "the README states which tables lack a sha256 column"
    assert set(re.findall(r"`(\w+)`", claim.group(1))) == without


def test_only_the_cli_imports_the_flows():
    importers = set()
    for path in (ROOT / "src" / "occstats").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "flows" or n.startswith("flows.") for n in names):
                importers.add(path.relative_to(ROOT / "src").as_posix())
    assert importers == {"occstats/cli.py", "occstats/deployments.py"}
    text = " ".join(README.read_text().split())
    assert "only the CLI's `refresh` imports the flows (to run them), and `deployments.py`" in text
