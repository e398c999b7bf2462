"""The command line's leaf helpers: the one-line parser, bounded numbers, shared bounds.

Imported by ``experiments.cli`` and by every module that registers a subcommand; it imports
nothing of the package, so registering a subcommand never creates an import cycle and
``bonding --help`` stays fast.
"""

from __future__ import annotations

import argparse
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


def parse_sets(items: list[str], flag: str = "--set") -> dict[str, float]:
    """``["a=1", "b=2.5"]`` -> ``{"a": 1.0, "b": 2.5}``: decimal values (``2_50`` and ``nan`` are
    refused); ``--set`` names are checked against the parameter table (closest-name hints),
    other flags' names by their caller."""
    from experiments.inputs import parse_sets as _parse
    from model.params import PARAMS

    return _parse(items, flag, PARAMS if flag == "--set" else None)


__all__ = ["OneLineParser", "bounded_number", "bounded_int", "bounded_float", "parse_sets", "scheduler_address",
           "MAX_HOUSEHOLDS", "MAX_MONTHS", "SEED_LIMIT", "WHOLE", "DECIMAL", "SCHEDULER"]
