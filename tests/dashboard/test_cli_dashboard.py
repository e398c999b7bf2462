"""``bonding dashboard``: refused input exits 2 with one line; a good one becomes ``solara run``."""

from __future__ import annotations

import socket
import sys
import types

import pytest
from bonding.experiments.cli import main
from bonding.experiments.viz import cli as dash_cli


def error_line(argv, capsys) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, f"exit {code}, stderr {err!r}"
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    return lines[0]


@pytest.fixture
def extra_installed(monkeypatch):
    """The checks below are about flags, whether or not the extra is installed here."""
    monkeypatch.setattr(dash_cli, "missing_dashboard_modules", lambda: [])


@pytest.mark.parametrize("argv,must_contain", [
    (["--port", "0"], ["--port", "out of range", "1 to 65535"]),
    (["--port", "70000"], ["--port", "1 to 65535"]),
    (["--port", "http"], ["--port", "not a whole number"]),
    (["--host", "no-such-host.invalid"], ["--host", "no-such-host.invalid"]),
    (["--host", "192.0.2.1"], ["--host", "127.0.0.1"]),  # TEST-NET address: not this machine's
    (["--threads", "0"], ["--threads", "1 to"]),
    (["--threads", "4096"], ["--threads", "1 to"]),
])
def test_bad_port_or_host_exits_2_with_one_line(argv, must_contain, capsys, extra_installed):
    line = error_line(["dashboard", *argv], capsys)
    for text in must_contain:
        assert text in line, f"{text!r} not in {line!r}"


def test_port_in_use_exits_2(capsys, extra_installed):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = error_line(["dashboard", "--port", str(port)], capsys)
    assert f"--port: {port} is in use" in line


@pytest.mark.parametrize("module,fake", [("solara", None), ("ipyvue", types.SimpleNamespace(__version__="3.0.1"))])
def test_missing_extra_exits_2_with_the_pip_command(module, fake, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, module, fake)  # None makes `import solara` fail
    line = error_line(["dashboard"], capsys)
    assert module in line and "pip install" in line and ".[dashboard]" in line


def test_good_flags_exec_solara_run_offline_and_quietly(capsys, monkeypatch, extra_installed):
    calls = []
    monkeypatch.setattr(dash_cli.os, "execve", lambda path, argv, env: calls.append((path, argv, env)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["dashboard", "--port", str(port)]) == 0
    (path, argv, env), = calls
    assert path == sys.executable
    assert argv[1:5] == ["-m", "solara", "run", "bonding.experiments.viz.app"]
    assert argv[argv.index("--port") + 1] == str(port) and argv[argv.index("--host") + 1] == "127.0.0.1"
    assert {"--production", "--no-check-version", "--no-open"} <= set(argv)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert "ignore:Cookies with samesite=none require https:UserWarning" in env["PYTHONWARNINGS"]
    assert f"http://127.0.0.1:{port}" in capsys.readouterr().out


@pytest.mark.parametrize("threads,expected", [(None, 4), ("1", 1), ("4", 4)])
def test_threads_reach_the_server_default_all_cores(threads, expected, monkeypatch, extra_installed):
    from bonding.experiments import cliutil

    monkeypatch.setattr(cliutil, "available_cores", lambda: 4)
    calls = []
    monkeypatch.setattr(dash_cli.os, "execve", lambda path, argv, env: calls.append(env))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["dashboard", "--port", str(port), *(["--threads", threads] if threads else [])]) == 0
    assert calls[0][dash_cli.THREADS_ENV] == str(expected)


def test_more_threads_than_cores_exits_2_with_one_line(capsys, monkeypatch, extra_installed):
    from bonding.experiments import cliutil

    monkeypatch.setattr(cliutil, "available_cores", lambda: 2)
    line = error_line(["dashboard", "--threads", "3"], capsys)
    assert "--threads: 3 given; allowed 1 to 2" in line
