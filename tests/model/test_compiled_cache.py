"""The compiled engine never runs a stale rule from numba's on-disk cache (model.compiled)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import pytest
from bonding.model import compiled
from bonding.model import kernel as kn

KERNEL_SRC = """
import numba
from numba.extending import register_jitable
import rules
from bonding.model.compiled import cached_dispatchers, drop_stale_cache

@numba.njit(cache=True)
def run(x):
    return rules.rule(x)

if {guard}:
    drop_stale_cache(cached_dispatchers(globals()), (rules,), "kern")
print(run(1.0))
"""
RULE_SRC = "from numba.extending import register_jitable\n\n@register_jitable\ndef rule(x):\n    return x + {inc}\n"


def _run_in_fresh_process(tmp_path, guard: bool, inc: float) -> float:
    (tmp_path / "rules.py").write_text(RULE_SRC.format(inc=inc))
    kernel = tmp_path / "kern.py"
    if not kernel.exists():  # written once: numba would otherwise see a new file and recompile anyway
        kernel.write_text(textwrap.dedent(KERNEL_SRC.format(guard=guard)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
           "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", "import kern"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("guard", [False, True])
def test_an_edited_rule_reaches_the_cached_kernel_only_with_the_guard(tmp_path, guard):
    assert _run_in_fresh_process(tmp_path, guard, inc=1.0) == 2.0
    edited = _run_in_fresh_process(tmp_path, guard, inc=5.0)
    # without the guard numba serves the stale machine code (its documented limitation);
    # with it the kernel is recompiled against the edited rule
    assert edited == (6.0 if guard else 2.0)


def test_fingerprint_tracks_source_and_order():
    a, b = types.ModuleType("a"), types.ModuleType("b")
    src = {"a": "x = 1\n", "b": "y = 2\n"}
    orig = compiled.inspect.getsource
    try:
        compiled.inspect.getsource = lambda m: src[m.__name__]
        f1 = compiled.source_fingerprint([a, b])
        assert compiled.source_fingerprint([a, b]) == f1
        assert compiled.source_fingerprint([b, a]) != f1
        src["b"] = "y = 3\n"
        assert compiled.source_fingerprint([a, b]) != f1
    finally:
        compiled.inspect.getsource = orig


def test_the_kernel_guards_every_cached_process_and_the_rule_modules():
    names = {d.__name__ for d in compiled.cached_dispatchers(vars(kn))}
    assert {"postnatal_hour", "_needs_and_cues", "_detect", "_respond", "_interaction_effects", "_learn",
            "_count_episode", "_advance_hormones"} <= names
    stamp = os.path.join(kn.postnatal_hour._cache.cache_path, "kernel.rules-sha256")
    if os.access(kn.postnatal_hour._cache.cache_path, os.W_OK):
        with open(stamp) as fh:
            assert fh.read() == compiled.source_fingerprint(
                (kn.bh, kn.phys, kn.ln, kn.rng_module, kn.state_module))
