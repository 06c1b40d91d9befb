"""Issue 12, acceptance 2: the whole bad-input corpus (tests/bad_inputs.py), through `occstats import`
and through a refresh from a generated mirror.

For every case: a clear error naming the file and the problem, every curated table unchanged (its
latest version and a hash of its content), the raw copy kept (a landing with the bad file's sha256),
and afterwards a good file of the same release is still curated (no failure sticks).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bad_inputs import GOOD, INFLATE_LIMIT, YEAR, ZIP_NAME, corpus, revised_2021
from builders import put_release

from occstats.cli import main
from occstats.pipeline import State, refresh
from occstats.raw import RawStore
from occstats.settings import ENV_MAX_INFLATED_BYTES, Settings
from occstats.store import Store


def fingerprint(data_dir: Path) -> dict[str, tuple[int | None, str]]:
    """Every curated table: its latest version and a hash of its rows (order-independent)."""
    store = Store(data_dir / "curated", pinned=False)
    prints = {}
    for name in store.names():
        rows = sorted(repr(sorted(r.items())) for r in store.read(name, store.latest_version(name)).to_pylist())
        prints[name] = (store.latest_version(name), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return prints


def kept(data_dir: Path, data: bytes) -> bool:
    sha = hashlib.sha256(data).hexdigest()
    return any(landing.sha256 == sha for landing in RawStore(data_dir / "raw").landings("oes"))


def test_every_bad_input_is_refused_through_import_and_a_mirror_refresh(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ENV_MAX_INFLATED_BYTES, str(INFLATE_LIMIT))  # the bombs stay small (bad_inputs.py)
    cases = corpus()
    assert len({c.kind for c in cases}) == len(cases) == 13

    # -- through `occstats import` --------------------------------------------------------------
    imported = tmp_path / "imported"
    for year, data in GOOD.items():
        path = tmp_path / f"good-oesm{year % 100:02d}nat.zip"
        path.write_bytes(data)
        assert main(["import", "oes", str(path), "--data-dir", str(imported), "-q"]) == 0
    capsys.readouterr()
    before = fingerprint(imported)
    assert {"oes_estimates", "oes_wages"} <= set(before)
    for case in cases:
        path = tmp_path / case.file_name
        path.write_bytes(case.data)
        code = main(["import", "oes", str(path), "--data-dir", str(imported), "-q"])
        out = capsys.readouterr()
        failed = [line for line in (out.out + out.err).splitlines() if "FAILED" in line]
        assert code == 1 and failed, f"{case.kind}: {out.out + out.err}"
        message = (out.out + out.err)[(out.out + out.err).index("FAILED") :]
        assert case.file_name in message and case.problem in message.lower(), f"{case.kind}: {message}"
        assert "Traceback" not in out.err
        assert fingerprint(imported) == before, f"{case.kind}: a curated table changed"
        assert kept(imported, case.data), f"{case.kind}: the raw copy was not kept"
    revised = tmp_path / f"revised-{ZIP_NAME}"
    revised.write_bytes(revised_2021())
    assert main(["import", "oes", str(revised), "--data-dir", str(imported), "-q"]) == 0
    assert fingerprint(imported)["oes_estimates"] != before["oes_estimates"], "the later good file is curated"

    # -- through a refresh from a generated mirror ------------------------------------------------
    mirror = tmp_path / "mirror"
    for year, data in GOOD.items():
        put_release(mirror, year, data)
    settings = Settings.resolve(data_dir=tmp_path / "refreshed", mirror=str(mirror), writable=True)
    assert [o.state for o in refresh(settings, "oes", list(GOOD)).outcomes] == [State.CURATED] * 2
    before = fingerprint(settings.data_dir)
    for case in cases:
        put_release(mirror, YEAR, case.data)
        (outcome,) = refresh(settings, "oes", [YEAR]).outcomes
        assert outcome.state is State.FAILED, f"{case.kind}: {outcome.state} {outcome.detail}"
        assert ZIP_NAME in outcome.detail and case.problem in outcome.detail.lower(), f"{case.kind}: {outcome.detail}"
        assert fingerprint(settings.data_dir) == before, f"{case.kind}: a curated table changed"
        assert kept(settings.data_dir, case.data), f"{case.kind}: the raw copy was not kept"
    put_release(mirror, YEAR, revised_2021())
    (outcome,) = refresh(settings, "oes", [YEAR]).outcomes
    assert outcome.state is State.CURATED, outcome.detail
    assert fingerprint(settings.data_dir)["oes_estimates"] != before["oes_estimates"]
