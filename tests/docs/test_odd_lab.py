"""docs/ODD.md section 8 (virtual lab) stays true to the code: generated lab tables, named functions."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ODD = (ROOT / "docs" / "ODD.md").read_text()


def test_lab_parameter_tables_are_generated_and_complete():
    from bonding.experiments.lab.coding import CODING_PARAMS
    from bonding.experiments.lab.measures import MEASURE_PARAMS
    from bonding.experiments.lab.procedures import PROC_PARAMS
    from bonding.experiments.lab.ssp import SSP_PARAMS
    from bonding.experiments.lab.stress import STRESS_PARAMS

    assert "<!-- BEGIN LAB PARAMETER TABLES" in ODD and "<!-- END LAB PARAMETER TABLES -->" in ODD
    for table in (SSP_PARAMS, CODING_PARAMS, MEASURE_PARAMS, PROC_PARAMS, STRESS_PARAMS):
        for name in table:
            assert f"| {name} |" in ODD, name


def test_lab_parameters_named_in_the_text_exist():
    """Every `name` in backticks in section 8 that looks like a parameter is declared."""
    from bonding.experiments.lab.coding import CODING_PARAMS
    from bonding.experiments.lab.measures import MEASURE_PARAMS
    from bonding.experiments.lab.procedures import PROC_PARAMS
    from bonding.experiments.lab.ssp import SSP_PARAMS
    from bonding.experiments.lab.stress import STRESS_PARAMS, STRESS_PROCEDURES
    from bonding.model.params import PARAMS

    section = ODD[ODD.index("## 8. Observation"):ODD.index("<!-- BEGIN LAB PARAMETER TABLES")]
    declared = (set(PARAMS) | set(SSP_PARAMS) | set(CODING_PARAMS) | set(MEASURE_PARAMS) | set(PROC_PARAMS)
                | set(STRESS_PARAMS) | set(STRESS_PROCEDURES))
    names = set(re.findall(r"`([a-z][a-z0-9_]+)`", section))
    code_words = {"snapshot", "play15", "play15_in_ot", "ssc60", "ssp", "outcomes", "overrides", "sample",
                  "visits", "measures", "statistic", "published", "pool", "direction", "good", "bad",
                  "carry", "ot_plasma_setpoint_now", "lab",
                  # procedure output variables
                  "infant_ot", "infant_ot_index", "cortisol_1h_before", "cortisol_1h_after",
                  # stress procedures: arguments and output variables (experiments/lab/stress.py)
                  "comfort", "caregiver", "contact", "none", "support", "dose", "screen", "depressed",
                  "infant_cortisol_pre", "infant_cortisol_post", "infant_cortisol_change", "infant_cortisol_pct",
                  "cortisol_pre", "cortisol_post", "cortisol_change", "cortisol_pct", "caregiver_cortisol_change",
                  "cortisol_pre_1h_before", "infant_hpa_gain", "ot_central_task", "stress_drive"}
    unknown = sorted(n for n in names - declared - code_words)
    assert not unknown, f"section 8 names undeclared parameters: {unknown}"


def test_lab_functions_named_in_the_odd_exist():
    from bonding.experiments.lab import coding, measures, procedures, ssp, studies
    from bonding.model import behaviour, physiology

    for mod, name in [(ssp, "run_procedure"), (ssp, "dyad_inputs"), (ssp, "strange_situation"),
                      (ssp, "ssp_hook"), (coding, "code_reunion"), (coding, "disorganisation_score"),
                      (coding, "classify"), (measures, "OTAssay"), (measures, "salivary_cortisol"),
                      (measures, "frame_error_for_kappa"), (measures, "code_classes"),
                      (measures, "questionnaire"), (studies, "VISIT_HOUR"), (procedures, "PROCEDURES"),
                      (behaviour, "POSITIVE"), (behaviour, "attunement"), (behaviour, "response_quality"),
                      (behaviour, "synchrony_index"), (physiology, "plasma_ot_hour_mean"),
                      (procedures, "cortisol_time_course"), (physiology, "circadian_cortisol")]:
        assert hasattr(mod, name), f"{mod.__name__}.{name}"
    for proc in ("snapshot", "play15", "play15_in_ot", "ssc60", "ssp", "outcomes"):
        assert proc in procedures.PROCEDURES, proc


def test_procedure_output_names_in_the_odd_exist():
    """The output variables section 8 names are what the procedures and the study engine produce."""
    import numpy as np
    from bonding.experiments.lab import procedures
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation

    sim = Simulation(ParamSet.uniform(3, {}), 0.05, 1)
    while not sim.born:
        sim.step()
    sim.step()
    out = procedures.snapshot(sim)
    out.update(procedures.cortisol_time_course(sim, sim.cg.cortisol))
    out.update(procedures.play(sim, np.random.default_rng(0)))
    for name in ("infant_ot", "infant_ot_index", "cortisol_1h_before", "cortisol_1h_after"):
        assert f"`{name}`" in ODD and name in out, name


def test_stress_procedures_are_described_in_section_8():
    """Issue 14 item 7: every stress procedure, its parameters and functions are named in section 8."""
    from bonding.experiments.lab import stress

    section = ODD[ODD.index("## 8. Observation"):ODD.index("<!-- BEGIN LAB PARAMETER TABLES")]
    for name in list(stress.STRESS_PROCEDURES) + list(stress.STRESS_PARAMS):
        assert f"`{name}`" in section, name
    for fn in ("infant_stressor", "acute_social_stressor"):
        assert hasattr(stress, fn) and f"`stress.{fn}`" in section, fn


def test_depression_screen_is_described_in_section_8():
    from bonding.experiments.lab import measures

    section = ODD[ODD.index("## 8. Observation"):ODD.index("<!-- BEGIN LAB PARAMETER TABLES")]
    for name in ("measures.DepressionScreen", "measures.screen_positive"):
        assert hasattr(measures, name.split(".")[1]) and f"`{name}`" in section, name
