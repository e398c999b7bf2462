"""The command line's leaf helpers: the one-line parser, bounded numbers, shared bounds.

Imported by ``experiments.cli`` and by every module that registers a subcommand; it imports
nothing of the package, so registering a subcommand never creates an import cycle and
``bonding --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import re

SEED_LIMIT = 2**63 - 1  # every --seed: numpy SeedSequence takes any non-negative int; int64 keeps files portable
WHOLE = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
SCHEDULER = re.compile(r"((tcp|tls|ucx|ws|wss)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):\d{1,5}")
MAX_HOUSEHOLDS = 5_000_000
MAX_MONTHS = 36


class OneLineParser(argparse.ArgumentParser):
    """argparse with one-line errors (``bonding: error: ...``) and exit status 2.

    argparse prefixes a bad value's message with ``argument --flag: ``; a type function whose
    message also starts with the flag (``--flag: ...``) would name it twice, so the repeat is dropped.
    """

    def error(self, message):  # noqa: D401
        message = " ".join(str(message).split())
        m = re.match(r"argument (?P<names>[^:]+): (?P<rest>.*)", message)
        if m:
            for name in m["names"].split("/"):
                if m["rest"].startswith(f"{name}: "):
                    message = f"argument {m['names']}: {m['rest'][len(name) + 2:]}"
                    break
        self.exit(2, f"bonding: error: {message}\n")


def bounded_number(name: str, lo: float, hi: float, integer: bool):
    """An argparse type: a number in [lo, hi] (whole if ``integer``).

    The message does not repeat ``name``: argparse reports it as ``argument NAME: ...``.
    """
    kind, cast = ("a whole number", int) if integer else ("a number", float)
    lo_s, hi_s = (str(lo), str(hi)) if integer else (f"{lo:g}", f"{hi:g}")

    pattern = WHOLE if integer else DECIMAL

    def parse(text: str):
        if not pattern.fullmatch(text.strip()):  # int()/float() would also read "2_50", "nan", "inf"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind} (allowed {lo_s} to {hi_s})")
        v = cast(text.strip())
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is out of range (allowed {lo_s} to {hi_s})")
        return v

    parse.__name__ = name
    return parse


def bounded_int(name: str, lo: int, hi: int):
    return bounded_number(name, lo, hi, integer=True)


def bounded_float(name: str, lo: float, hi: float):
    return bounded_number(name, lo, hi, integer=False)


def scheduler_address(text_value: str) -> str:
    """argparse type for ``--scheduler``: a Dask scheduler address ``tcp://HOST:PORT``."""
    if not SCHEDULER.fullmatch(text_value.strip()):
        raise argparse.ArgumentTypeError(f"{text_value!r} is not a scheduler address (allowed: tcp://HOST:PORT)")
    return text_value.strip()


MAX_PARALLEL = 1024  # upper bound of every --workers and --threads at parse time (the cores are checked after)


def available_cores() -> int:
    """Cores this process may run on: ``os.process_cpu_count()`` (Python 3.13+, respects CPU
    affinity), else ``os.cpu_count()``; at least 1."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, int(count or 1))


def plan_parallel(workers: int | None, threads: int | None, cores: int | None = None,
                  has_workers: bool = True) -> tuple[int, int]:
    """``(workers, threads per worker)`` for ``--workers`` and ``--threads`` (``None``: not given).

    The one rule of the package: worker processes times threads per worker never exceed the
    cores (``cores``, default :func:`available_cores`), so the two never oversubscribe the machine.

    - neither given: all cores to workers (``has_workers``) with one thread each; a command
      without workers (``has_workers=False``, ``workers`` ignored) gets all cores as threads;
    - ``--workers W`` alone: threads per worker = max(1, cores // W) (W may exceed the cores,
      as before this rule: then one thread each);
    - ``--threads T`` alone: workers = max(1, cores // T);
    - both: refused with one line (``ParameterError``, exit 2) if W x T exceeds the cores.

    ``--threads`` above the cores is refused too. Results never depend on either number.
    """
    from bonding.model.params import ParameterError

    n = int(cores) if cores is not None else available_cores()
    if threads is not None and threads > n:
        raise ParameterError(f"--threads: {threads} given; allowed 1 to {n} (the cores of this machine)")
    if not has_workers:
        return 1, (n if threads is None else int(threads))
    if workers is None and threads is None:
        return n, 1
    if threads is None:
        return int(workers), max(1, n // int(workers))
    if workers is None:
        return max(1, n // int(threads)), int(threads)
    if int(workers) * int(threads) > n:
        raise ParameterError(f"--workers/--threads: {workers} x {threads} = {int(workers) * int(threads)} would "
                             f"oversubscribe the {n} cores (allowed workers x threads <= {n}; give one of them "
                             "and the other follows)")
    return int(workers), int(threads)


def add_threads_option(p: argparse.ArgumentParser, has_workers: bool = True) -> None:
    """``--threads N``: threads per simulation on the day-major block path (see :func:`plan_parallel`)."""
    default = "cores // workers" if has_workers else "all cores"
    p.add_argument("--threads", type=bounded_int("--threads", 1, MAX_PARALLEL), default=None,
                   help=f"threads per simulation (default {default}; workers x threads never exceed the cores; "
                        "results do not depend on it)")


def parse_sets(items: list[str], flag: str = "--set") -> dict[str, float]:
    """``["a=1", "b=2.5"]`` -> ``{"a": 1.0, "b": 2.5}``: decimal values (``2_50`` and ``nan`` are
    refused); ``--set`` names are checked against the parameter table (closest-name hints),
    other flags' names by their caller."""
    from bonding.experiments.inputs import parse_sets as _parse
    from bonding.model.params import PARAMS

    return _parse(items, flag, PARAMS if flag == "--set" else None)


__all__ = ["available_cores", "plan_parallel", "add_threads_option", "MAX_PARALLEL", "OneLineParser", "bounded_number", "bounded_int", "bounded_float", "parse_sets", "scheduler_address",
           "MAX_HOUSEHOLDS", "MAX_MONTHS", "SEED_LIMIT", "WHOLE", "DECIMAL", "SCHEDULER"]
