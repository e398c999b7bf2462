"""The engine's scalar rules applied to the lab's arrays: one helper, so the lab never re-codes a rule.

The rules of :mod:`model.behaviour` and :mod:`model.physiology` are pure functions compiled into
the hourly kernel by numba's ``register_jitable``; called from Python they are the same plain
Python functions. Rules written with array-safe arithmetic (``relief``, ``positive_response_probability``,
``synchrony_index``, ``frightening_probability``, ``attunement_hourly``, ``central_ot_step``,
``plasma_ot_hour_mean``) the lab calls directly on arrays. Rules with branches
(``response_quality``, ``touch_kind``, ``gaze_vocal_probability``, ``dyad_synchrony``,
``infant_maturity``) take scalars: :func:`per_element` applies them element by element over
broadcast arrays. Either way the numbers come from the engine's own function, which the
agreement test (``tests/lab/test_lab_engine_agreement.py``) checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

__all__ = ["per_element"]


@cache
def _ufunc(rule: Callable, nin: int, nout: int) -> np.ufunc:
    return np.frompyfunc(rule, nin, nout)


def per_element(rule: Callable, *args, nout: int = 1, dtypes=(float,)):
    """``rule`` applied to each element of the broadcast ``args``.

    ``nout``: how many values the rule returns (a tuple if more than one); ``dtypes``: the type
    of each output array (one entry, or one per output). Returns one array, or a tuple of
    ``nout`` arrays, shaped like the broadcast arguments.
    """
    out = _ufunc(rule, len(args), nout)(*args)
    if nout == 1:
        return np.asarray(out).astype(dtypes[0])
    types = dtypes if len(dtypes) == nout else dtypes * nout
    return tuple(np.asarray(o).astype(t) for o, t in zip(out, types, strict=True))
