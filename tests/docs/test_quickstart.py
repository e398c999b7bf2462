"""docs/quickstart.md cannot rot: every ``python`` code block runs, in order, in one namespace.

The blocks run in a temporary working folder (the quickstart writes under ``results/``).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "quickstart.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in BLOCK.finditer(text)]


def test_the_quickstart_has_code_for_each_step():
    blocks = code_blocks(QUICKSTART.read_text())
    joined = "\n".join(blocks)
    assert len(blocks) >= 6
    for needle in ("BondingModel(", "model.step()", "DataCollector(", "run_scenario(", "read_parquet("):
        assert needle in joined, needle


def test_every_python_block_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__quickstart__"}
    for i, block in enumerate(code_blocks(QUICKSTART.read_text()), 1):
        try:
            exec(compile(block, f"{QUICKSTART.name} block {i}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"docs/quickstart.md python block {i} failed: {exc!r}\n{block}") from exc
    assert (tmp_path / "results" / "quickstart-baseline" / "manifest.json").exists()
    out = capsys.readouterr().out
    assert "p_father_present: 2 is out of range" in out


def test_block_extraction_ignores_other_languages():
    text = "```bash\nexit 1\n```\n\n```python\nx = 1\n```\n"
    assert code_blocks(text) == ["x = 1\n"]
