"""The ``bonding`` command line.

``bonding run [SCENARIO] --households N --months M --seed S --out DIR [--set NAME=VALUE ...]``
``bonding params`` prints the parameter table; ``bonding scenarios`` lists scenarios.
Other subcommands are added by their modules (see ``_register_subcommands``).

Bad input exits with status 2 and one line naming the field and the allowed range. Output
piped into a reader that stops early (``bonding study --list | head``) ends quietly (status 1).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from experiments.inputs import DECIMAL, WHOLE
from model.params import ParameterError

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


def parse_sets(items: list[str], flag: str = "--set") -> dict[str, float]:
    """``["a=1", "b=2.5"]`` -> ``{"a": 1.0, "b": 2.5}``: decimal values (``2_50`` and ``nan`` are
    refused); ``--set`` names are checked against the parameter table (closest-name hints),
    other flags' names by their caller."""
    from experiments.inputs import parse_sets as _parse
    from model.params import PARAMS

    return _parse(items, flag, PARAMS if flag == "--set" else None)


def add_common_run_options(p: argparse.ArgumentParser, households: int, months: float) -> None:
    """Options shared by ``run`` and other population commands."""
    p.add_argument("--households", type=bounded_int("--households", 1, MAX_HOUSEHOLDS), default=households,
                   help=f"number of households (default {households})")
    p.add_argument("--months", type=bounded_float("--months", 0.0, MAX_MONTHS), default=months,
                   help=f"months after birth to simulate (default {months:g}); pregnancy from week 10 comes first")
    p.add_argument("--seed", type=bounded_int("--seed", 0, 2**63 - 1), default=1, help="root seed (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable); see `bonding params`")


def cmd_run(args) -> int:
    from experiments.inputs import check_memory
    from experiments.run import check_run_out, run_config, run_scenario, summary_table, write_run
    from experiments.scenarios import load_scenario

    scenario = load_scenario(args.scenario).with_overrides(parse_sets(args.set))
    out = Path(args.out) if args.out else Path("results") / f"{scenario.name}-seed{args.seed}"
    check_run_out(out, run_config(scenario, args.households, args.months, args.seed))  # before the work
    check_memory(args.households)
    result = run_scenario(scenario, args.households, args.months, args.seed, progress=not args.quiet)
    paths = write_run(result, out)
    if not args.quiet:
        import pandas as pd

        with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 3):
            print(summary_table(result.outcomes).T.to_string())
        print(f"\n{result.households} households, {args.months:g} months, {result.wall_seconds:.1f} s")
        for p in paths:
            print(f"wrote {p}")
    return 0


def cmd_params(args) -> int:
    from model.params import param_table

    print(param_table(markdown=args.markdown))
    return 0


def cmd_scenarios(args) -> int:
    from experiments.scenarios import available_scenarios, load_scenario

    for name in available_scenarios():
        sc = load_scenario(name)
        first = " ".join(sc.description.split())
        print(f"{name:32s} {first[:100]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="bonding", description="Caregiver-infant bonding driven by hormonal states.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = sub.add_parser("run", help="run one scenario and write results")
    run.add_argument("scenario", nargs="?", default="baseline", help="scenario name or TOML path (default baseline)")
    add_common_run_options(run, households=1000, months=18)
    run.add_argument("--out", default=None, help="output folder (default results/<scenario>-seed<S>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=cmd_run)
    par = sub.add_parser("params", help="print the parameter table")
    par.add_argument("--markdown", action="store_true", help="markdown table")
    par.set_defaults(func=cmd_params)
    sc = sub.add_parser("scenarios", help="list shipped scenarios")
    sc.set_defaults(func=cmd_scenarios)
    _register_subcommands(sub)
    for name in RESUMABLE:
        if name in sub.choices:
            sub.choices[name].add_argument(
                "--allow-code-change", action="store_true",
                help="resume a folder made by another code version (its finished parts are kept)")
    return parser


# commands that write a run folder (experiments.provenance.check_run_folder)
RESUMABLE = ("run", "compare", "study", "power", "validate", "sensitivity", "calibrate")


def _register_subcommands(sub) -> None:
    """Subcommands owned by other modules register here (one line each)."""
    # --- registered subcommands (keep one line per module) ---
    from experiments.lab.cli import add_subcommands as _lab; _lab(sub)  # noqa: E702, I001
    from experiments.compare import add_subcommands as _c; _c(sub)  # noqa: E702, I001
    from experiments.lab.validate import add_subcommands as _v; _v(sub)  # noqa: E702, I001
    from calibration.sensitivity import add_subcommands as _gsa; _gsa(sub)  # noqa: E702, I001
    from experiments.viz.cli import add_subcommands as _dash; _dash(sub)  # noqa: E702, I001
    from calibration.cli import add_subcommands as _cal; _cal(sub)  # noqa: E702, I001
    # --- end registered subcommands ---


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        from experiments.provenance import set_allow_code_change

        set_allow_code_change(getattr(args, "allow_code_change", False))
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, inside the handler, not at exit
        return code
    except BrokenPipeError:
        # the reader went away (e.g. `bonding study --list | head`): exit quietly, as the Python
        # docs advise (signal module, "Note on SIGPIPE"); stdout to devnull so that the
        # interpreter's final flush does not fail again
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout without a file descriptor (e.g. captured in tests)
            pass
        return 1
    except ParameterError as exc:
        print(f"bonding: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bonding: interrupted; finished work is kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
