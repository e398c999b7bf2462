"""``bonding dashboard [--port P] [--host H] [--threads N] [--open]``: serve the classroom dashboard.

It checks what can be checked before starting a server: that the ``dashboard`` extra is
installed (else one line saying which pip command installs it), that the host is an address of
this machine and that the port is free (else one line naming the field), all with exit status 2.
Then it runs ``solara run experiments.viz.app`` in production mode with Solara's usage
telemetry switched off (a classroom may have no internet; nothing needs to leave the machine)
in place of the ``bonding`` process (``os.execve``), so Ctrl+C or a kill stop the server itself.

``--threads N`` (default: all cores; more than the cores is refused, the package's rule
:func:`experiments.cliutil.plan_parallel`) is how many sessions' models may simulate at the same
time; each runs on one thread, so sessions x threads never exceed N (see ``docs/dashboard.md``).
It reaches the server as :data:`THREADS_ENV`.
"""

from __future__ import annotations

import errno
import importlib
import os
import socket
import sys

from bonding.experiments.cli import bounded_int
from bonding.experiments.cliutil import MAX_PARALLEL, plan_parallel
from bonding.experiments.viz import INSTALL_HINT

APP_MODULE = "bonding.experiments.viz.app"
DEFAULT_PORT = 8765  # Solara's default
DEFAULT_HOST = "127.0.0.1"
THREADS_ENV = "BONDING_DASHBOARD_THREADS"  # read by experiments.viz.page: models simulating at once
COOKIE_WARNING = "Cookies with samesite=none require https"  # the start of Solara's per-session warning
#: import name -> why it is needed; all come with the ``dashboard`` extra
REQUIRED_MODULES = {
    "solara": "the web app framework",
    "solara_assets": "Solara's front-end files, served locally (no CDN, works offline)",
    "ipyvuetify": "the widgets",
    "ipyvue": "the widgets' Vue 2 front end",
}


def missing_dashboard_modules() -> list[str]:
    """Import names from :data:`REQUIRED_MODULES` that cannot be imported, plus a wrong ipyvue."""
    missing = []
    for name in REQUIRED_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception:  # not installed (ImportError) or broken by a mismatched dependency
            missing.append(name)
            continue
        if name == "ipyvue" and str(getattr(module, "__version__", "1")).split(".")[0] not in ("0", "1"):
            missing.append("ipyvue<3 (ipyvue 3 renders no components offline)")
    return missing


def check_address(host: str, port: int) -> str | None:
    """A one-line problem with serving on ``host:port``, or None if a server can bind there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"--host: {host!r} is not a known host name or address"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server (uvicorn) binds
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"--port: {port} is in use on {host} (choose another, allowed 1 to 65535)"
            return f"--host: cannot serve on {host} ({exc.strerror or exc}); use an address of this machine, e.g. 127.0.0.1"
    return None


def solara_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The ``solara run`` command line for the dashboard."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
            "--production", "--no-check-version", "--open" if open_browser else "--no-open"]


def cmd_dashboard(args) -> int:
    missing = missing_dashboard_modules()
    if missing:
        print(f"bonding: error: the dashboard needs the 'dashboard' extra (missing: {', '.join(missing)}); "
              f"install it with: {INSTALL_HINT}", file=sys.stderr)
        return 2
    _, threads = plan_parallel(None, args.threads, has_workers=False)  # > cores: one line, exit 2
    problem = check_address(args.host, args.port)
    if problem:
        print(f"bonding: error: {problem}", file=sys.stderr)
        return 2
    # Solara warns on every new session served over plain http to an address other than localhost
    # (12 lines per student); lax cookies are what a classroom server on 127.0.0.1 or the LAN wants.
    quiet = f"ignore:{COOKIE_WARNING}:UserWarning"
    warnings_env = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONWARNINGS": warnings_env,
           THREADS_ENV: str(threads)}
    where = f"http://{args.host}:{args.port}"
    if args.host in ("0.0.0.0", "::"):
        where = f"http://127.0.0.1:{args.port} here, or this computer's address from others"
    print(f"bonding dashboard: open {where} in a browser (Ctrl+C stops the server)", flush=True)
    command = solara_command(args.host, args.port, args.open)
    os.execve(command[0], command, env)  # become the server: Ctrl+C and kill reach it directly
    return 0  # not reached (os.execve does not return)


def add_subcommands(sub) -> None:
    p = sub.add_parser("dashboard", help="the classroom dashboard in a browser (needs the 'dashboard' extra)",
                       description="Serve the interactive dashboard (Solara). Works offline.")
    p.add_argument("--port", type=bounded_int("--port", 1, 65535), default=DEFAULT_PORT,
                   help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}: this computer only; "
                        "0.0.0.0 lets other computers in the room connect)")
    p.add_argument("--threads", type=bounded_int("--threads", 1, MAX_PARALLEL), default=None,
                   help="models that may simulate at the same time, one thread each (default all cores; "
                        "at most the cores); other sessions' steps wait their turn. Results do not depend on it")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.set_defaults(func=cmd_dashboard)
    add_lesson_subcommand(sub)


def cmd_lessons(args) -> int:
    from bonding.experiments.viz.lessons import print_lessons  # noqa: PLC0415 - loads the model: only when run

    return print_lessons(args.host, args.port)


def add_lesson_subcommand(sub) -> None:
    p = sub.add_parser("lessons", help="list the dashboard's guided lessons and the address that opens each",
                       description="List the classroom lessons; each opens in the dashboard at /?lesson=NAME.")
    p.add_argument("--port", type=bounded_int("--port", 1, 65535), default=DEFAULT_PORT,
                   help=f"the dashboard's port (default {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"the dashboard's host (default {DEFAULT_HOST})")
    p.set_defaults(func=cmd_lessons)
