"""The ``bonding`` command line.

``bonding run [SCENARIO] --households N --months M --seed S --out DIR [--set NAME=VALUE ...]``
``bonding params`` prints the parameter table; ``bonding scenarios`` lists scenarios.
Other subcommands are registered by their own modules (``LAZY_COMMANDS``), which are imported
only when their command runs: ``bonding --help`` lists them from the table without importing
numpy, pandas or the compiled kernel. Shared helpers live in the leaf module
:mod:`experiments.cliutil`, so no module that registers a subcommand imports this one back.

Bad input exits with status 2 and one line naming the field and the allowed range. Output
piped into a reader that stops early (``bonding study --list | head``) ends quietly (status 1).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from bonding.experiments.cliutil import (  # noqa: F401 - re-exported for the modules that register subcommands
    MAX_HOUSEHOLDS,
    MAX_MONTHS,
    SEED_LIMIT,
    OneLineParser,
    add_threads_option,
    bounded_float,
    bounded_int,
    bounded_number,
    parse_sets,
    plan_parallel,
)
from bonding.model.params import ParameterError


def add_common_run_options(p: argparse.ArgumentParser, households: int, months: float) -> None:
    """Options shared by ``run`` and other population commands."""
    p.add_argument("--households", type=bounded_int("--households", 1, MAX_HOUSEHOLDS), default=households,
                   help=f"number of households (default {households})")
    p.add_argument("--months", type=bounded_float("--months", 0.0, MAX_MONTHS), default=months,
                   help=f"months after birth to simulate (default {months:g}); pregnancy from week 10 comes first")
    p.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1, help="root seed (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable); see `bonding params`")


def cmd_run(args) -> int:
    from bonding.experiments.inputs import check_memory
    from bonding.experiments.run import (
        check_run_out,
        run_config,
        run_scenario,
        summary_table,
        write_run,
    )
    from bonding.experiments.scenarios import load_scenario

    scenario = load_scenario(args.scenario).with_overrides(parse_sets(args.set))
    out = Path(args.out) if args.out else Path("results") / f"{scenario.name}-seed{args.seed}"
    _, threads = plan_parallel(None, args.threads, has_workers=False)
    check_run_out(out, run_config(scenario, args.households, args.months, args.seed))  # before the work
    check_memory(args.households)
    result = run_scenario(scenario, args.households, args.months, args.seed, progress=not args.quiet,
                          threads=threads)
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
    from bonding.model.params import param_table

    print(param_table(markdown=args.markdown))
    return 0


def cmd_scenarios(args) -> int:
    from bonding.experiments.scenarios import available_scenarios, load_scenario

    for name in available_scenarios():
        sc = load_scenario(name)
        first = " ".join(sc.description.split())
        print(f"{name:32s} {first[:100]}")
    return 0


# command -> (the module whose ``add_subcommands`` registers it, its one-line help)
LAZY_COMMANDS = {
    "study": ("bonding.experiments.lab.cli", "run a virtual study R times and compare with the published value"),
    "power": ("bonding.experiments.lab.cli", "power curve of a virtual study over sample sizes"),
    "compare": ("bonding.experiments.compare", "compare scenarios over replicates (resumable, parallel)"),
    "report": ("bonding.experiments.compare", "rebuild a comparison's tables and figures from its folder"),
    "validate": ("bonding.experiments.lab.validate", "run every virtual study and tabulate simulated vs published (resumable)"),
    "sensitivity": ("bonding.calibration.sensitivity.cli",
                    "global sensitivity analysis (SALib Sobol' or Morris; resumable, parallel)"),
    "dashboard": ("bonding.experiments.viz.cli", "the classroom dashboard in a browser (needs the 'dashboard' extra)"),
    "lessons": ("bonding.experiments.viz.cli", "list the dashboard's guided lessons and the address that opens each"),
    "calibrate": ("bonding.calibration.cli", "ABC-SMC calibration against published targets (pyabc; resumable)"),
}
ALL = "*"  # build_parser(ALL): every subcommand registered for real (tests, documentation)
# commands that write a run folder (experiments.provenance.check_run_folder)
RESUMABLE = ("run", "compare", "study", "power", "validate", "sensitivity", "calibrate")


def build_parser(command: str | None = ALL) -> argparse.ArgumentParser:
    """The ``bonding`` parser with ``command``'s module registered for real (``ALL``: every
    module); the other subcommands are listed by name and help only, without importing them."""
    parser = OneLineParser(prog="bonding", description="Caregiver-infant bonding driven by hormonal states.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = sub.add_parser("run", help="run one scenario and write results")
    run.add_argument("scenario", nargs="?", default="baseline", help="scenario name or TOML path (default baseline)")
    add_common_run_options(run, households=1000, months=18)
    run.add_argument("--out", default=None, help="output folder (default results/<scenario>-seed<S>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    add_threads_option(run, has_workers=False)
    run.set_defaults(func=cmd_run)
    par = sub.add_parser("params", help="print the parameter table")
    par.add_argument("--markdown", action="store_true", help="markdown table")
    par.set_defaults(func=cmd_params)
    sc = sub.add_parser("scenarios", help="list shipped scenarios")
    sc.set_defaults(func=cmd_scenarios)
    real = {"run"}
    for name, (module, help_text) in LAZY_COMMANDS.items():
        if name in sub.choices:
            continue  # registered with another command of its module
        if command == ALL or LAZY_COMMANDS.get(command, ("",))[0] == module:
            before = set(sub.choices)
            importlib.import_module(module).add_subcommands(sub)
            real |= set(sub.choices) - before
        else:
            sub.add_parser(name, help=help_text, add_help=False)  # listed; never parses
    for name in RESUMABLE:
        if name in real:
            sub.choices[name].add_argument(
                "--allow-code-change", action="store_true",
                help="resume a folder made by another code version (its finished parts are kept)")
    return parser


def command_of(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_of(argv))
    try:
        args = parser.parse_args(argv)
        from bonding.experiments.provenance import set_allow_code_change

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
