"""The corpus of malformed inputs: scenario files, targets files and flag combinations for every
command (issue 16). Each case is ``(id, files, argv)``:

* ``files``: name -> text (``str``) or raw ``bytes`` (or ``DIR`` for a folder, or a dict for a
  ``manifest.json`` to write into a folder), created in the case's working folder;
* ``argv``: the command line after ``bonding``.

Every case must end with exit status 2, one line on stderr, no traceback, and no file written.
"""

from __future__ import annotations

import json

DIR = object()  # a folder to create

SMALL = ["--households", "5", "--months", "0.1"]


def manifest(kind: str, config: dict | None = None, **extra) -> str:
    return json.dumps({"kind": kind, "status": "complete", "config": config if config is not None else {"x": 1},
                       **extra})


# ------------------------------------------------------------------ scenario files
GOOD_PARAMS = "[params]\npoverty_stress = 0.2\n"
BAD_SCENARIOS: dict[str, str | bytes] = {
    "param_string_number": '[params]\npoverty_stress = "0.5"\n',
    "param_bool": "[params]\npoverty_stress = true\n",
    "param_list": "[params]\npoverty_stress = [0.5]\n",
    "param_table": "[params]\npoverty_stress = {a = 1}\n",
    "param_nan": "[params]\npoverty_stress = nan\n",
    "param_inf": "[params]\npoverty_stress = inf\n",
    "param_date": "[params]\npoverty_stress = 1979-05-27\n",
    "param_typo": "[params]\not_stres_buffering = 0.5\n",
    "param_unknown": "[params]\nno_such_parameter = 1\n",
    "param_out_of_range": "[params]\npoverty_stress = 5\n",
    "param_negative": "[params]\npoverty_stress = -0.1\n",
    "name_number": 'name = 123\n',
    "name_list": 'name = ["a"]\n',
    "name_escape": 'name = "../../escaped"\n',
    "name_slash": 'name = "a/b"\n',
    "name_dot": 'name = ".hidden"\n',
    "name_empty": 'name = ""\n',
    "name_space": 'name = "two words"\n',
    "name_absolute": 'name = "/tmp/x"\n',
    "name_too_long": f'name = "{"a" * 81}"\n',
    "description_number": "description = 5\n",
    "description_list": 'description = ["a"]\n',
    "sources_string": 'sources = "one source"\n',
    "sources_number": "sources = 5\n",
    "sources_numbers": "sources = [1, 2]\n",
    "sources_table": "[sources]\na = 1\n",
    "extends_number": "extends = 5\n",
    "extends_list": 'extends = ["baseline"]\n',
    "extends_empty": 'extends = ""\n',
    "extends_missing_file": 'extends = "missing.toml"\n',
    "extends_unknown_name": 'extends = "baselin"\n',
    "extends_self": 'extends = "self_ref.toml"\n',
    "unknown_top_key": "parms = 1\n",
    "params_number": "params = 5\n",
    "params_string": 'params = "x"\n',
    "params_list": "params = [1]\n",
    "interventions_number": "interventions = 5\n",
    "interventions_table": '[interventions]\ntype = "caregiver_loss"\n',
    "interventions_strings": 'interventions = ["caregiver_loss"]\n',
    "intervention_type_list": '[[interventions]]\ntype = ["caregiver_loss"]\nrole = "father"\n',
    "intervention_type_typo": '[[interventions]]\ntype = "caregiver_los"\nrole = "father"\n',
    "intervention_type_number": "[[interventions]]\ntype = 5\n",
    "intervention_type_missing": '[[interventions]]\nrole = "father"\n',
    "intervention_role_list": '[[interventions]]\ntype = "caregiver_loss"\nrole = ["father"]\n',
    "intervention_role_unknown": '[[interventions]]\ntype = "caregiver_loss"\nrole = "uncle"\n',
    "intervention_role_number": '[[interventions]]\ntype = "caregiver_loss"\nrole = 5\n',
    "intervention_role_missing": '[[interventions]]\ntype = "caregiver_loss"\n',
    "intervention_month_string": '[[interventions]]\ntype = "caregiver_loss"\nrole = "father"\nmonth = "6"\n',
    "intervention_month_bool": '[[interventions]]\ntype = "caregiver_loss"\nrole = "father"\nmonth = true\n',
    "intervention_month_range": '[[interventions]]\ntype = "caregiver_loss"\nrole = "father"\nmonth = 99\n',
    "intervention_coverage_range": '[[interventions]]\ntype = "caregiver_loss"\nrole = "father"\ncoverage = 2\n',
    "intervention_unknown_field": '[[interventions]]\ntype = "caregiver_loss"\nrole = "father"\nmonht = 6\n',
    "non_utf8": b'description = "caf\xe9"\n',
    "utf16": "name = \"x\"\n".encode("utf-16"),
    "binary": bytes(range(256)),
    "bad_toml": "name = \n",
    "duplicate_key": 'name = "a"\nname = "b"\n',
    "unclosed_table": "[params\npoverty_stress = 0.2\n",
}
EXTRA_FILES = {"self_ref.toml": 'extends = "self_ref.toml"\n',
               "loop_a.toml": 'extends = "loop_b.toml"\n', "loop_b.toml": 'extends = "loop_a.toml"\n',
               "broken_base.toml": "[params]\npoverty_stress = \"0.5\"\n"}
BAD_SCENARIOS_EXTENDING = {  # extends another file with a problem: the error names that file
    "extends_loop": 'extends = "loop_a.toml"\n',
    "extends_broken_base": 'extends = "broken_base.toml"\n',
}


def scenario_cases():
    for key, body in {**BAD_SCENARIOS, **BAD_SCENARIOS_EXTENDING}.items():
        files = {"scen.toml": body, **EXTRA_FILES}
        yield f"run-scenario-{key}", files, ["run", "scen.toml", *SMALL, "--out", "out"]
    # an extends path is read from the naming file's folder, not the working directory
    yield ("run-extends-relative-to-file", {"sub": DIR, "sub/a.toml": 'extends = "b.toml"\n', "b.toml": GOOD_PARAMS},
           ["run", "sub/a.toml", *SMALL, "--out", "out"])
    yield "run-scenario-folder-named-toml", {"x.toml": DIR}, ["run", "x.toml", *SMALL, "--out", "out"]
    yield "run-scenario-missing-file", {}, ["run", "nope.toml", *SMALL, "--out", "out"]
    yield "run-scenario-name-typo", {}, ["run", "baselin", *SMALL, "--out", "out"]
    yield "run-scenario-not-toml", {"x.txt": GOOD_PARAMS}, ["run", "x.txt", *SMALL, "--out", "out"]
    yield "run-scenario-escaping-default-out", {"esc.toml": 'name = "../../escaped"\n'}, ["run", "esc.toml", *SMALL]
    for key in ("param_string_number", "name_escape", "non_utf8", "intervention_type_list", "sources_string"):
        files = {"scen.toml": BAD_SCENARIOS[key]}
        yield f"compare-scenario-{key}", files, ["compare", "baseline", "scen.toml", "--replicates", "1", *SMALL,
                                                 "--workers", "1", "--out", "out"]
        yield (f"sensitivity-scenario-{key}", files,
               ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--scenario", "scen.toml",
                "--n", "2", "--households-per-point", "2", "--months", "0.1", "--out", "out"])


# ------------------------------------------------------------------ run flags
def run_flag_cases():
    bad = {
        "households-zero": ["--households", "0"], "households-negative": ["--households", "-1"],
        "households-word": ["--households", "many"], "households-fraction": ["--households", "1.5"],
        "households-above-max": ["--households", "5000001"], "households-underscore": ["--households", "2_000"],
        "households-empty": ["--households", ""],
        "months-negative": ["--months", "-1"], "months-above-max": ["--months", "37"],
        "months-nan": ["--months", "nan"], "months-inf": ["--months", "inf"], "months-word": ["--months", "x"],
        "months-underscore": ["--months", "1_0"],
        "seed-negative": ["--seed", "-1"], "seed-too-big": ["--seed", str(2**63)], "seed-word": ["--seed", "x"],
        "seed-underscore": ["--seed", "1_0"], "seed-fraction": ["--seed", "1.5"],
        "set-no-equals": ["--set", "poverty_stress"], "set-no-name": ["--set", "=1"],
        "set-unknown": ["--set", "no_such=1"], "set-typo": ["--set", "ot_stres_buffering=0.5"],
        "set-underscore": ["--set", "ot_stress_buffering=2_50"], "set-underscore-small": ["--set", "poverty_stress=0_5"],
        "set-word": ["--set", "poverty_stress=abc"], "set-nan": ["--set", "poverty_stress=nan"],
        "set-inf": ["--set", "poverty_stress=inf"], "set-huge": ["--set", "poverty_stress=1e999"],
        "set-empty-value": ["--set", "poverty_stress="], "set-out-of-range": ["--set", "poverty_stress=5"],
        "set-twice": ["--set", "poverty_stress=0.2", "--set", "poverty_stress=0.3"],
        "set-true": ["--set", "poverty_stress=true"], "set-hex": ["--set", "poverty_stress=0x1"],
        "unknown-flag": ["--frobnicate"], "missing-value": ["--households"],
        "two-scenarios": ["baseline", "baseline"],
    }
    for key, extra in bad.items():
        argv = ["run"] + (extra if key == "two-scenarios" else [])
        argv += [*SMALL, "--out", "out"] + ([] if key == "two-scenarios" else extra)
        yield f"run-{key}", {}, argv


# ------------------------------------------------------------------ output folders (every command)
COMMANDS = {
    "run": ["run", *SMALL],
    "compare": ["compare", "baseline", "--replicates", "1", *SMALL, "--workers", "1"],
    "study": ["study", "M2", "--replicates", "2"],
    "power": ["power", "M2", "--n", "10", "--replicates", "2"],
    "validate": ["validate", "--studies", "M2", "--replicates", "2", "--households", "0"],
    "sensitivity": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--n", "2",
                    "--households-per-point", "2", "--months", "0.1"],
    "calibrate": ["calibrate", "--population", "2", "--generations", "1", "--households", "10", "--months", "12"],
}
OTHER_KIND = {"run": "compare", "compare": "run", "study": "power", "power": "study", "validate": "compare",
              "sensitivity": "run", "calibrate": "sensitivity"}


def out_cases():
    for cmd, argv in COMMANDS.items():
        yield f"{cmd}-out-is-a-file", {"f": "x"}, [*argv, "--out", "f"]
        yield f"{cmd}-out-under-a-file", {"f": "x"}, [*argv, "--out", "f/sub"]
        yield f"{cmd}-out-unrelated-files", {"o": DIR, "o/notes.txt": "mine"}, [*argv, "--out", "o"]
        yield (f"{cmd}-out-other-commands-folder", {"o": DIR, "o/manifest.json": manifest(OTHER_KIND[cmd])},
               [*argv, "--out", "o"])
        yield f"{cmd}-out-damaged-manifest", {"o": DIR, "o/manifest.json": "{not json"}, [*argv, "--out", "o"]
        yield (f"{cmd}-out-same-kind-other-config", {"o": DIR, "o/manifest.json": manifest(cmd, {"seed": 99})},
               [*argv, "--out", "o"])


# ------------------------------------------------------------------ --threads and --workers (issue 13)
THREADED = {  # every command with --threads, runnable but for the flag under test
    "run": ["run", *SMALL],
    "study": ["study", "M2", "--replicates", "2"],
    "power": ["power", "M2", "--n", "10", "--replicates", "2"],
    "validate": ["validate", "--studies", "M2", "--replicates", "2", "--households", "0"],
    "compare": ["compare", "baseline", "--replicates", "1", *SMALL],
    "sensitivity": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--n", "2",
                    "--households-per-point", "2", "--months", "0.1"],
}


def threads_cases() -> dict[str, list[str]]:
    """Bad --threads for every command that has it (zero, a word, a decimal, above the parse
    bound, more than the cores), and --workers x --threads above the cores where both exist."""
    cases = {}
    for cmd, argv in THREADED.items():
        for key, value in (("zero", "0"), ("word", "x"), ("decimal", "1.5"), ("above-bound", "1025"),
                           ("above-cores", "1024")):
            cases[f"{cmd}-threads-{key}"] = [*argv, "--threads", value, "--out", "o"]
    for cmd in ("compare", "sensitivity"):
        cases[f"{cmd}-workers-times-threads-above-cores"] = [*THREADED[cmd], "--workers", "1024", "--threads", "2",
                                                             "--out", "o"]
    cases["calibrate-workers-zero"] = ["calibrate", "--workers", "0", "--out", "o"]
    return cases


# ------------------------------------------------------------------ other commands' flags
def command_flag_cases():
    cases = {
        # compare and report
        "compare-same-scenario-twice": ["compare", "baseline", "baseline", "--replicates", "1", *SMALL, "--out", "o"],
        "compare-replicates-zero": ["compare", "baseline", "--replicates", "0", *SMALL, "--out", "o"],
        "compare-replicates-big": ["compare", "baseline", "--replicates", "10001", *SMALL, "--out", "o"],
        "compare-replicates-underscore": ["compare", "baseline", "--replicates", "1_0", *SMALL, "--out", "o"],
        "compare-months-big": ["compare", "baseline", "--replicates", "1", "--months", "40", "--out", "o"],
        "compare-workers-zero": ["compare", "baseline", "--replicates", "1", *SMALL, "--workers", "0", "--out", "o"],
        "compare-workers-and-scheduler": ["compare", "baseline", "--replicates", "1", *SMALL, "--workers", "2",
                                          "--scheduler", "tcp://127.0.0.1:1", "--out", "o"],
        "compare-scheduler-not-an-address": ["compare", "baseline", "--replicates", "1", *SMALL, "--scheduler",
                                             "not-an-address", "--out", "o"],
        "compare-scheduler-no-port": ["compare", "baseline", "--replicates", "1", *SMALL, "--scheduler",
                                      "tcp://localhost", "--out", "o"],
        "compare-scheduler-empty": ["compare", "baseline", "--replicates", "1", *SMALL, "--scheduler", "", "--out", "o"],
        "compare-scheduler-http": ["compare", "baseline", "--replicates", "1", *SMALL, "--scheduler",
                                   "http://x:8786", "--out", "o"],
        "compare-no-out": ["compare", "baseline", "--replicates", "1", *SMALL],
        "compare-no-scenario": ["compare", "--out", "o"],
        "compare-unknown-scenario": ["compare", "baseline", "nosuch", "--replicates", "1", *SMALL, "--out", "o"],
        "compare-sweep-two-scenarios": ["compare", "baseline", "paternal_leave", "--sweep", "poverty_stress=0,0.5",
                                        *SMALL, "--out", "o"],
        "compare-sweep-no-equals": ["compare", "baseline", "--sweep", "poverty_stress", *SMALL, "--out", "o"],
        "compare-sweep-one-value": ["compare", "baseline", "--sweep", "poverty_stress=0.5", *SMALL, "--out", "o"],
        "compare-sweep-twice-a-value": ["compare", "baseline", "--sweep", "poverty_stress=0.5,0.5", *SMALL,
                                        "--out", "o"],
        "compare-sweep-typo": ["compare", "baseline", "--sweep", "ot_stres_buffering=0,1", *SMALL, "--out", "o"],
        "compare-sweep-underscore": ["compare", "baseline", "--sweep", "ot_stress_buffering=0,2_50", *SMALL,
                                     "--out", "o"],
        "compare-sweep-out-of-range": ["compare", "baseline", "--sweep", "poverty_stress=0,5", *SMALL, "--out", "o"],
        "compare-sweep-empty-value": ["compare", "baseline", "--sweep", "poverty_stress=0,,1", *SMALL, "--out", "o"],
        "compare-sweep-and-set-same-name": ["compare", "baseline", "--sweep", "poverty_stress=0,1", "--set",
                                            "poverty_stress=0.2", *SMALL, "--out", "o"],
        "compare-set-typo": ["compare", "baseline", "--set", "ot_stres_buffering=1", *SMALL, "--out", "o"],
        "compare-set-underscore": ["compare", "baseline", "--set", "ot_stress_buffering=2_50", *SMALL, "--out", "o"],
        "compare-set-out-of-range": ["compare", "baseline", "--set", "poverty_stress=2", *SMALL, "--out", "o"],
        "report-missing-folder": ["report", "nowhere"],
        "report-no-args": ["report"],
        # study and power
        "study-unknown": ["study", "NOPE", "--replicates", "2", "--out", "o"],
        "study-replicates-zero": ["study", "M2", "--replicates", "0", "--out", "o"],
        "study-seed-negative": ["study", "M2", "--seed", "-1", "--out", "o"],
        "study-set-underscore": ["study", "M2", "--replicates", "2", "--set", "ot_stress_buffering=2_50", "--out", "o"],
        "study-set-typo": ["study", "M2", "--replicates", "2", "--set", "ot_stres_buffering=0.5", "--out", "o"],
        "study-assay-set-unknown": ["study", "M2", "--replicates", "2", "--assay-set", "no_such=1", "--out", "o"],
        "study-assay-set-word": ["study", "M2", "--replicates", "2", "--assay-set", "ot_unextracted_central_corr=x",
                                 "--out", "o"],
        "power-no-n": ["power", "M2", "--replicates", "2", "--out", "o"],
        "power-n-empty": ["power", "M2", "--n", "", "--out", "o"],
        "power-n-word": ["power", "M2", "--n", "abc", "--out", "o"],
        "power-n-underscore": ["power", "M2", "--n", "2_50", "--out", "o"],
        "power-n-small": ["power", "M2", "--n", "3", "--out", "o"],
        "power-n-empty-item": ["power", "M2", "--n", "10,,20", "--out", "o"],
        "power-unknown-study": ["power", "NOPE", "--n", "10", "--out", "o"],
        "power-set-nan": ["power", "M2", "--n", "10", "--set", "poverty_stress=nan", "--out", "o"],
        # validate
        "validate-studies-empty": ["validate", "--studies", "", "--out", "o"],
        "validate-studies-unknown": ["validate", "--studies", "NOPE", "--out", "o"],
        "validate-replicates-zero": ["validate", "--replicates", "0", "--out", "o"],
        "validate-households-negative": ["validate", "--households", "-1", "--out", "o"],
        "validate-set-unknown": ["validate", "--studies", "M2", "--set", "no_such=1", "--out", "o"],
        "validate-set-underscore": ["validate", "--studies", "M2", "--set", "poverty_stress=0_5", "--out", "o"],
        "validate-assay-set-bad": ["validate", "--studies", "M2", "--assay-set", "ot_x=1", "--out", "o"],
        "validate-seed-word": ["validate", "--seed", "x", "--out", "o"],
        # sensitivity
        "sensitivity-params-empty": ["sensitivity", "--method", "morris", "--params", "", "--out", "o"],
        "sensitivity-params-comma": ["sensitivity", "--method", "morris", "--params", ",", "--out", "o"],
        "sensitivity-params-twice": ["sensitivity", "--method", "morris", "--params", "poverty_stress,poverty_stress",
                                     "--out", "o"],
        "sensitivity-params-unknown": ["sensitivity", "--method", "morris", "--params", "no_such", "--out", "o"],
        "sensitivity-params-typo": ["sensitivity", "--method", "morris", "--params", "ot_stres_buffering", "--out", "o"],
        "sensitivity-params-empty-item": ["sensitivity", "--method", "morris", "--params", "poverty_stress,,x",
                                          "--out", "o"],
        "sensitivity-group-unknown": ["sensitivity", "--method", "morris", "--group", "nosuch", "--out", "o"],
        "sensitivity-params-and-group": ["sensitivity", "--method", "morris", "--params", "poverty_stress",
                                         "--group", "household", "--out", "o"],
        "sensitivity-no-params": ["sensitivity", "--method", "morris", "--out", "o"],
        "sensitivity-no-method": ["sensitivity", "--params", "poverty_stress", "--out", "o"],
        "sensitivity-method-unknown": ["sensitivity", "--method", "fast", "--params", "poverty_stress", "--out", "o"],
        "sensitivity-n-zero": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--n", "0", "--out", "o"],
        "sensitivity-hpp-zero": ["sensitivity", "--method", "morris", "--params", "poverty_stress",
                                 "--households-per-point", "0", "--out", "o"],
        "sensitivity-levels-one": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--levels", "1",
                                   "--out", "o"],
        "sensitivity-conf-level": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--conf-level",
                                   "2", "--out", "o"],
        "sensitivity-resamples": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--resamples",
                                  "5", "--out", "o"],
        "sensitivity-scheduler-bad": ["sensitivity", "--method", "morris", "--params", "poverty_stress",
                                      "--scheduler", "not-an-address", "--out", "o"],
        "sensitivity-workers-zero": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--workers",
                                     "0", "--out", "o"],
        "sensitivity-outputs-unknown": ["sensitivity", "--method", "morris", "--params", "poverty_stress",
                                        "--outputs", "nosuch", "--out", "o"],
        "sensitivity-scenario-unknown": ["sensitivity", "--method", "morris", "--params", "poverty_stress",
                                         "--scenario", "nosuch", "--out", "o"],
        "sensitivity-months-big": ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--months",
                                   "40", "--out", "o"],
        # calibrate flags
        "calibrate-population-one": ["calibrate", "--population", "1", "--out", "o"],
        "calibrate-generations-zero": ["calibrate", "--generations", "0", "--out", "o"],
        "calibrate-households-small": ["calibrate", "--households", "5", "--out", "o"],
        "calibrate-months-short": ["calibrate", "--months", "11", "--out", "o"],
        "calibrate-min-epsilon-negative": ["calibrate", "--min-epsilon", "-1", "--out", "o"],
        "calibrate-ppc-draws-zero": ["calibrate", "--ppc-draws", "0", "--out", "o"],
        "calibrate-workers-and-scheduler": ["calibrate", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1",
                                            "--out", "o"],
        "calibrate-scheduler-bad": ["calibrate", "--scheduler", "not-an-address", "--out", "o"],
        "calibrate-targets-missing": ["calibrate", "--targets", "nope.toml", "--out", "o"],
        # the top level
        "no-command": [],
        "unknown-command": ["frobnicate"],
        "params-unknown-flag": ["params", "--frobnicate"],
        "scenarios-extra-argument": ["scenarios", "baseline"],
        "dashboard-port-zero": ["dashboard", "--port", "0"],
        "dashboard-port-word": ["dashboard", "--port", "http"],
        "dashboard-port-too-big": ["dashboard", "--port", "70000"],
        "dashboard-port-underscore": ["dashboard", "--port", "8_080"],
    }
    cases.update(threads_cases())
    for key, argv in cases.items():
        yield key, {}, argv
    yield "report-on-a-run-folder", {"r": DIR, "r/manifest.json": manifest("run")}, ["report", "r"]
    yield "report-on-a-file", {"f": "x"}, ["report", "f"]
    yield "report-on-empty-folder", {"e": DIR}, ["report", "e"]
    yield "report-on-damaged-manifest", {"d": DIR, "d/manifest.json": "{"}, ["report", "d"]
    yield "calibrate-targets-folder", {"t.toml": DIR}, ["calibrate", "--targets", "t.toml", "--out", "o"]


# ------------------------------------------------------------------ targets files
TARGET_OK = """[cohort]
scenario = "baseline"

[parameters]
free = ["ot_stress_buffering"]

[targets.secure]
source = "A1"
published = 0.6
n = 200
confidence = "H"
statistic = "ssp_share"
role = "mother"
class = "B"
"""


def _target(old: str, new: str) -> str:
    assert old in TARGET_OK, old
    return TARGET_OK.replace(old, new)


BAD_TARGETS: dict[str, str | bytes] = {
    "published_string": _target("published = 0.6", 'published = "0.6"'),
    "published_bool": _target("published = 0.6", "published = true"),
    "published_range": _target("published = 0.6", "published = 1.5"),
    "n_bool": _target("n = 200", "n = true"),
    "n_fraction": _target("n = 200", "n = 200.5"),
    "n_string": _target("n = 200", 'n = "200"'),
    "n_and_se": _target("n = 200", "n = 200\nse = 0.1"),
    "weight_zero": _target("n = 200", "n = 200\nweight = 0"),
    "weight_string": _target("n = 200", 'n = 200\nweight = "1"'),
    "free_string": _target('free = ["ot_stress_buffering"]', 'free = "ot_stress_buffering"'),
    "free_number_item": _target('free = ["ot_stress_buffering"]', "free = [1]"),
    "free_nested_list": _target('free = ["ot_stress_buffering"]', 'free = [["ot_stress_buffering"]]'),
    "free_typo": _target('free = ["ot_stress_buffering"]', 'free = ["ot_stres_buffering"]'),
    "free_twice": _target('free = ["ot_stress_buffering"]', 'free = ["ot_stress_buffering", "ot_stress_buffering"]'),
    "free_empty": _target('free = ["ot_stress_buffering"]', "free = []"),
    "free_missing": _target('free = ["ot_stress_buffering"]', ""),
    "unknown_table": TARGET_OK + "\n[extra]\na = 1\n",
    "unknown_field": _target('class = "B"', 'class = "B"\nsorce = "x"'),
    "confidence_low": _target('confidence = "H"', 'confidence = "L"'),
    "confidence_list": _target('confidence = "H"', 'confidence = ["H"]'),
    "memory_true": _target('class = "B"', 'class = "B"\nmemory = true'),
    "statistic_unknown": _target('statistic = "ssp_share"', 'statistic = "ssp_shares"'),
    "statistic_list": _target('statistic = "ssp_share"', 'statistic = ["ssp_share"]'),
    "role_list": _target('role = "mother"', 'role = ["mother"]'),
    "class_missing": _target('class = "B"', ""),
    "class_list": _target('class = "B"', 'class = ["B"]'),
    "source_number": _target('source = "A1"', "source = 5"),
    "source_list": _target('source = "A1"', 'source = ["A1"]'),
    "note_number": _target('class = "B"', 'class = "B"\nnote = 5'),
    "cohort_scenario_number": _target('scenario = "baseline"', "scenario = 5"),
    "cohort_scenario_list": _target('scenario = "baseline"', 'scenario = ["baseline"]'),
    "cohort_scenario_missing_file": _target('scenario = "baseline"', 'scenario = "nowhere.toml"'),
    "cohort_scenario_bad_file": _target('scenario = "baseline"', 'scenario = "bad_scen.toml"'),
    "cohort_extra_key": _target('scenario = "baseline"', 'scenario = "baseline"\nhouseholds = 5'),
    "no_targets": TARGET_OK.split("[targets.secure]")[0],
    "target_not_table": TARGET_OK.split("[targets.secure]")[0] + "[targets]\nsecure = 5\n",
    "non_utf8": b'[cohort]\nscenario = "baseline"\n# caf\xe9\n',
    "bad_toml": "[cohort\n",
}


def target_cases():
    for key, body in BAD_TARGETS.items():
        files = {"t.toml": body, "bad_scen.toml": '[params]\npoverty_stress = "0.5"\n'}
        yield f"calibrate-targets-{key}", files, ["calibrate", "--targets", "t.toml", "--population", "2",
                                                  "--generations", "1", "--households", "10", "--out", "o"]


def all_cases() -> list[tuple[str, dict, list[str]]]:
    cases = [*scenario_cases(), *run_flag_cases(), *out_cases(), *command_flag_cases(), *target_cases()]
    ids = [c[0] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases
