"""Issue 12 item 7 (the Prefect side): a password in the mirror URL never becomes a flow run parameter.

Prefect keeps every flow run's parameters in its database and shows them in its UI and logs, so
`occstats refresh` hands the flow the redacted URL and the credentials through OCCSTATS_MIRROR.
The first test checks the parameter building (fast); the second runs `occstats refresh` on a
temporary Prefect server against a loopback mirror that demands the password, reads the flow run's
parameters back through Prefect's client, and greps the data directory and the output.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from builders import oes_zip
from test_hardening import loopback

from occstats.cli import flow_parameters, main
from occstats.settings import ENV_MIRROR, Settings

SECRET = "s3cret-pw"


def _no_mirror_env(monkeypatch) -> None:
    """Unset OCCSTATS_MIRROR, and have it restored after the test whatever the CLI sets."""
    monkeypatch.setenv(ENV_MIRROR, "")
    monkeypatch.delenv(ENV_MIRROR)


def test_flow_parameters_carry_the_redacted_mirror_and_the_credentials_go_by_the_environment(tmp_path, monkeypatch):
    _no_mirror_env(monkeypatch)
    settings = Settings.resolve(data_dir=tmp_path / "data", mirror=f"http://ops:{SECRET}@mirror.example.org/bls")
    params = flow_parameters(settings)
    assert params["mirror"] == "http://mirror.example.org/bls" and SECRET not in repr(params)
    # what the flow resolves from its parameters is the real URL again
    again = Settings.resolve(data_dir=params["data_dir"], mirror=params["mirror"])
    assert again.mirror == f"http://ops:{SECRET}@mirror.example.org/bls"
    # a mirror without credentials is passed as it is, and the environment is left alone
    _no_mirror_env(monkeypatch)
    plain = Settings.resolve(data_dir=tmp_path / "data", mirror="http://mirror.example.org/bls")
    assert flow_parameters(plain)["mirror"] == "http://mirror.example.org/bls" and ENV_MIRROR not in os.environ


@pytest.mark.prefect
def test_a_refresh_through_prefect_records_no_password_anywhere(tmp_path, capsys, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    expected = "Basic " + base64.b64encode(f"ops:{SECRET}".encode()).decode()

    def guarded(handler) -> None:
        if handler.headers.get("Authorization") != expected:
            handler.reply(401)
        else:
            handler.reply(200, oes_zip(2021))

    _no_mirror_env(monkeypatch)
    for name, value in (("OCCSTATS_HTTP_RETRIES", "0"), ("OCCSTATS_TASK_RETRIES", "0")):
        monkeypatch.setenv(name, value)
    data = tmp_path / "data"
    with prefect_test_harness(server_startup_timeout=60), loopback({"oesm21nat.zip": guarded}) as (base, _):
        mirror = base.replace("http://", f"http://ops:{SECRET}@")
        code = main(["refresh", "oes", "--years", "2021", "--mirror", mirror, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs()
    assert code == 0, out + err  # the password was used: the guarded mirror served the release
    assert runs and all(SECRET not in repr(run.parameters) for run in runs)
    assert any(run.parameters.get("mirror") == base for run in runs), [run.parameters for run in runs]
    assert SECRET not in out + err
    leaked = [p for p in Path(data).rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not leaked, f"the password was written to {leaked}"
