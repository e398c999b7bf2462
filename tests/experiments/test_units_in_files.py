"""Units travel with the data: every declared column of a run's Parquet files carries its unit
and meaning as field metadata (issue 16: "no units in the files")."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from bonding.experiments.columns import declared, table
from bonding.experiments.run import run_scenario, write_run
from bonding.experiments.scenarios import load_scenario


def test_run_files_carry_units_and_read_back_unchanged(tmp_path):
    result = run_scenario(load_scenario("baseline"), 12, 0.2, 3)
    write_run(result, tmp_path, figure=False)
    for name, frame in (("outcomes.parquet", result.outcomes), ("timeseries.parquet", result.timeseries)):
        schema = pq.read_schema(tmp_path / name)
        t = table("run", name)
        checked = 0
        for field in schema:
            c = declared(t, field.name)
            assert c is not None, f"{name}: {field.name} is not declared"
            assert field.metadata[b"unit"].decode() == c.unit, field.name
            assert field.metadata[b"meaning"].decode() == c.meaning, field.name
            checked += 1
        assert checked == len(frame.columns)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), frame.reset_index(drop=True))
    bond = pq.read_schema(tmp_path / "outcomes.parquet").field("bond").metadata
    assert bond[b"unit"]  # a real unit string, e.g. "index (0-1)"
