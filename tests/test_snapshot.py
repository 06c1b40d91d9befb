"""Issue 12 item 9: readers see one consistent set of versions across oes_estimates and oes_wages.

A publish commits oes_estimates, then oes_wages; a process killed between the two commits leaves
the first table a version ahead. The kill is simulated exactly: the writer's Store commits a new
oes_estimates version (one release's figures changed) and nothing else, so the snapshot pointer
is not moved. Every reader (occstats.open, `occstats query`, `occstats tables`, the data release
publisher) must still see the pair the last complete publish left; the next complete publish moves
both tables together.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
from datadir import build_data_dir

import occstats
from occstats import schema
from occstats.cli import main
from occstats.publishing.release import publish
from occstats.store import SNAPSHOT, Store


def _killed_between_commits(curated) -> tuple[int, int]:
    """Commit a new oes_estimates version (2022 employment +1 everywhere) the way a killed publish leaves it."""
    writer = Store(curated, pinned=False)
    before = writer.latest_version("oes_estimates")
    rows = writer.read("oes_estimates", where=pc.field("ref_year") == 2022)
    bumped = rows.set_column(
        rows.schema.get_field_index("employment"),
        "employment",
        pc.add(rows.column("employment"), pa.scalar(1, rows.schema.field("employment").type)),
    )
    version, changes = writer.write(schema.OES_ESTIMATES, [bumped], {"run_id": "killed"})
    assert version == before + 1 and len(changes) == 1
    return before, version


def test_a_kill_between_the_two_oes_commits_leaves_readers_on_the_earlier_consistent_pair(tmp_path, capsys):
    data = build_data_dir(tmp_path)
    curated = data / "curated"
    pointer = json.loads((curated / SNAPSHOT).read_text())["versions"]
    reader = Store(curated)
    assert pointer["oes_estimates"] == reader.latest_version("oes_estimates")
    assert pointer["oes_wages"] == reader.latest_version("oes_wages")
    employment_2022 = pc.sum(reader.read("oes_estimates", where=pc.field("ref_year") == 2022).column("employment"))

    consistent, ahead = _killed_between_commits(curated)

    # occstats.open: the earlier version and its figures
    opened = occstats.open(data)
    table = opened.table("oes_estimates")
    assert table.version == consistent != ahead
    assert pc.sum(table.to_arrow(where={"ref_year": 2022}).column("employment")) == employment_2022
    assert opened.table("oes_estimates", version=ahead).version == ahead, "time travel still reaches it"
    # occstats query: the same
    assert main(["query", "select sum(employment) as e from oes_estimates where ref_year = 2022", "--format",
                 "csv", "--data-dir", str(data)]) == 0  # fmt: skip
    assert capsys.readouterr().out.split() == ["e", str(employment_2022.as_py())]
    # occstats tables: the snapshot's version
    assert main(["tables", "--format", "json", "--data-dir", str(data)]) == 0
    listed = {r["table"]: r["version"] for r in json.loads(capsys.readouterr().out)}
    assert listed["oes_estimates"] == consistent and listed["oes_wages"] == pointer["oes_wages"]
    # a data release records (and copies) the snapshot's versions
    result = publish(reader, tmp_path / "published")
    package = json.loads((result.path / "datapackage.json").read_text())
    assert package["occstats"]["table_versions"]["oes_estimates"] == consistent

    # the next complete publish moves both tables together
    with Store(curated, pinned=False).lock():
        Store(curated, pinned=False).record_snapshot([t.name for t in (schema.OES_ESTIMATES, schema.OES_WAGES)])
    assert occstats.open(data).table("oes_estimates").version == ahead


def test_without_a_pointer_readers_see_the_latest_versions(tmp_path):
    data = build_data_dir(tmp_path)
    curated = data / "curated"
    (curated / SNAPSHOT).unlink()
    _, ahead = _killed_between_commits(curated)
    assert occstats.open(data).table("oes_estimates").version == ahead
