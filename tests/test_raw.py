import stat

from occstats.raw import RawStore


def test_landing_is_append_only_and_idempotent(tmp_path):
    store = RawStore(tmp_path / "raw")
    src = tmp_path / "oesm24nat.zip"
    src.write_bytes(b"first")
    first, new = store.land("oes", "2024", src, file_name=src.name, provenance={"url": "https://x/a.zip"})
    assert new and first.path.read_bytes() == b"first"
    assert first.manifest["sha256"] and first.manifest["url"] == "https://x/a.zip" and first.manifest["size"] == 5
    assert not first.path.stat().st_mode & stat.S_IWUSR, "landed files are read-only"

    again, new = store.land("oes", "2024", src, file_name=src.name, provenance={})
    assert not new and again.path == first.path

    src.chmod(0o644)
    src.write_bytes(b"second: BLS replaced the file in place")
    second, new = store.land("oes", "2024", src, file_name=src.name, provenance={})
    assert new and second.path != first.path
    assert first.path.read_bytes() == b"first", "the old file stays beside the new one"
    assert [landing.sha256 for landing in store.landings("oes", "2024")] == [first.sha256, second.sha256]
    assert store.latest("oes", "2024").sha256 == second.sha256
    assert store.with_sha256("oes", first.sha256).path == first.path, "a URL's remembered bytes are found again"


def test_a_crafted_file_name_cannot_escape_the_landing_folder(tmp_path):
    store = RawStore(tmp_path / "raw")
    src = tmp_path / "f"
    src.write_bytes(b"x")
    landing, _ = store.land("oes", "2024", src, file_name="../../etc/passwd", provenance={})
    assert landing.path.parent.parent == tmp_path / "raw" / "oes" / "2024"
    assert landing.path.name == "passwd"
