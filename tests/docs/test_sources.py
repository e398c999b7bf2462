"""docs/sources.md has an entry for every target id and publication the declarations name.

Sources are read from the parameter declarations (``model.params.PARAMS`` and the lab's
``*_PARAMS`` tables), from calibration/targets.toml (``source``) and from the study registry
(``target`` and ``citation``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "docs" / "sources.md").read_text()
TARGET_ID = re.compile(r"\b(?:PH|M|P|S|A|I)\d+\b")
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
NAME = re.compile(r"\b[A-Z][a-zäöü][\w'äöü-]*")
PRIOR_MODELS = re.compile(r"prior-models \d+(?:\.\d+)?(?:/\d+\.\d+)?")


def parameter_sources() -> list[str]:
    from bonding.experiments.lab.coding import CODING_PARAMS
    from bonding.experiments.lab.measures import MEASURE_PARAMS
    from bonding.experiments.lab.procedures import PROC_PARAMS
    from bonding.experiments.lab.ssp import SSP_PARAMS
    from bonding.model.params import PARAMS

    return [p.source for t in (PARAMS, SSP_PARAMS, CODING_PARAMS, MEASURE_PARAMS, PROC_PARAMS) for p in t.values()]


def calibration_sources() -> list[str]:
    doc = tomllib.loads((ROOT / "calibration" / "targets.toml").read_text())
    return [t["source"] for t in doc["targets"].values()]


def registry_sources() -> list[str]:
    doc = tomllib.loads((ROOT / "experiments" / "studies" / "registry.toml").read_text())
    out = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("target", "citation") and isinstance(value, str):
                    out.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return out


ALL = {"parameters": parameter_sources, "calibration/targets.toml": calibration_sources,
       "experiments/studies/registry.toml": registry_sources}


def target_ids(texts: list[str]) -> set[str]:
    return {m.group(0) for s in texts for m in TARGET_ID.finditer(s)}


def citations(texts: list[str]) -> set[tuple[str, str]]:
    """(first author's surname, year) of every author-year citation in the texts.

    A clause (split at brackets, semicolons and colons) holding a year is a citation
    if it names a capitalised word before the year: "Ellis et al. 2021" -> (Ellis, 2021);
    "US 2019 births" is not one (no capitalised word in lower case).
    """
    out = set()
    for text in texts:
        for clause in re.split(r"[();:]", text):
            for y in YEAR.finditer(clause):
                name = NAME.search(clause[:y.start()])
                if name:
                    out.add((name.group(0), y.group(0)))
    return out


def has_row(target: str) -> bool:
    return re.search(rf"^\| {re.escape(target)} \|", SOURCES, re.M) is not None


@pytest.mark.parametrize("where", list(ALL))
def test_every_target_id_has_a_row(where):
    ids = target_ids(ALL[where]())
    assert ids, f"no target ids found in {where}"
    missing = sorted(i for i in ids if not has_row(i))
    assert not missing, f"docs/sources.md has no row for {missing} (named in {where})"


@pytest.mark.parametrize("where", list(ALL))
def test_every_cited_publication_has_an_entry(where):
    lines = SOURCES.splitlines()
    missing = sorted(f"{name} {year}" for name, year in citations(ALL[where]())
                     if not any(name in line and year in line for line in lines))
    assert not missing, f"docs/sources.md does not name {missing} (cited in {where})"


def test_every_prior_models_section_cited_is_described():
    refs = {m.group(0) for s in parameter_sources() for m in PRIOR_MODELS.finditer(s)}
    assert refs
    missing = sorted(r for r in refs if f"**{r}**" not in SOURCES)
    assert not missing


def test_the_checks_catch_a_missing_entry():
    assert citations(["I4 (Ellis et al. 2021, r=-.09)", "PH17 (US 2019 births)"]) == {("Ellis", "2021")}
    assert target_ids(["M8, I10, I14", "assumption"]) == {"M8", "I10", "I14"}
    assert has_row("PH5") and not has_row("PH99")
