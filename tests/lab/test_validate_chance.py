"""The fit rule: a significant published effect reproduced only at chance level is a misfit (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab import validate as va
from bonding.experiments.lab.studies import Study


def _study(kind="pearson", n=100, value=0.3, **pub):
    return Study("X", {"statistic": {"kind": kind}, "sample": {"n": n},
                       "published": {"value": value, **pub} if value is not None else pub})


@pytest.mark.parametrize("k, chance", [(0, True), (2, True), (4, True), (5, False), (20, False)])
def test_at_chance_is_a_binomial_test_against_alpha(k, chance):
    assert va.at_chance(k / 40, 40, 0.05) is chance


def test_published_significance_from_value_and_n():
    assert va.published_significant(_study(value=0.3, n=100), 0.3)  # t = 3.1
    assert not va.published_significant(_study(value=0.1, n=50), 0.1)  # t = 0.7
    assert not va.published_significant(_study(value=0.1, n=50, significant=False), 0.1)
    assert va.published_significant(_study(value=0.1, n=50, significant=True), 0.1)
    assert va.published_significant(_study("d", value=0.5, n=200), 0.5)
    assert not va.published_significant(_study("proportion", value=0.5, n=200), 0.5)


def _rows(values, n_sig, r=40):
    return [{"value": v, "significant": i < n_sig, "n": 100} for i, v in enumerate(values[:r])]


def test_a_value_inside_the_range_but_at_chance_is_a_misfit():
    rng = np.random.default_rng(0)
    values = list(0.3 + 0.2 * rng.standard_normal(40))  # the published .3 lies in the 90% range
    row = va.study_row(_study(value=0.3, n=100), _rows(values, n_sig=2))
    assert row["misfit"] and "at chance" in row["verdict"]
    row = va.study_row(_study(value=0.3, n=100), _rows(values, n_sig=30))
    assert not row["misfit"] and row["verdict"].startswith("ok")


def test_a_non_significant_published_value_is_judged_by_its_range_only():
    values = list(np.linspace(0.0, 0.2, 40))
    row = va.study_row(_study(value=0.1, n=50), _rows(values, n_sig=1))
    assert not row["misfit"]


def test_a_significance_only_row_at_chance_is_a_misfit():
    row = va.study_row(_study(value=None, text="significant"), _rows(list(np.zeros(40)), n_sig=4))
    assert row["misfit"] and "at chance" in row["verdict"]
    row = va.study_row(_study(value=None, text="significant"), _rows(list(np.zeros(40)), n_sig=8))
    assert not row["misfit"]
