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

Rules of arithmetic, comparisons and branches only (no exp, log or power) can be applied by
:func:`per_element_compiled`, the same rule in a compiled loop over the arrays: the same IEEE
operations in the same order, so the same numbers bit for bit, without a Python call per element.
A rule with an exponential must stay on :func:`per_element`: called from Python on the lab's
numpy scalars it takes numpy's (vector) exp, which differs from libm's, numba's, in the last bit
for a few percent of arguments on a CPU with AVX-512.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numba
import numpy as np
from bonding.model import behaviour as bh
from bonding.model import physiology as phys
from bonding.model import state as state_module
from bonding.model.compiled import cached_dispatchers, drop_stale_cache

__all__ = ["per_element", "per_element_compiled"]


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



# One compiled loop per rule the lab applies this way (cached on disk; model.compiled flushes the
# cache when a rule module changes). Each stores the rule's outputs of element k in o*[k].
@numba.njit(cache=True)
def _cortisol_level(o, scale, circadian, excess):
    for k in range(o.size):
        o[k] = phys.cortisol_level(scale[k], circadian[k], excess[k])


@numba.njit(cache=True)
def _infant_cortisol_level(o, mean, circadian, excess):
    for k in range(o.size):
        o[k] = phys.infant_cortisol_level(mean[k], circadian[k], excess[k])


@numba.njit(cache=True)
def _infant_hpa_drive(o, gain, reactivity, distress, buffering, relief, ot_buffer, frightened):
    for k in range(o.size):
        o[k] = phys.infant_hpa_drive(gain[k], reactivity[k], distress[k], buffering[k], relief[k], ot_buffer[k],
                                     frightened[k])


@numba.njit(cache=True)
def _response_attunement(o, attunement, distress_sensitivity, bid):
    for k in range(o.size):
        o[k] = bh.response_attunement(attunement[k], distress_sensitivity[k], bid[k])


@numba.njit(cache=True)
def _unsoothed_crying(o, bid, response):
    for k in range(o.size):
        o[k] = bh.unsoothed_crying(bid[k], response[k])


@numba.njit(cache=True)
def _episode_contact(feed, affectionate, stimulatory, bid, response, hunger, stimulatory_share, u):
    for k in range(feed.size):
        feed[k], affectionate[k], stimulatory[k] = bh.episode_contact(bid[k], response[k], hunger[k],
                                                                       stimulatory_share[k], u[k])


@numba.njit(cache=True)
def _gaze_vocal_probability(gaze, vocal, response, depressed, bid):
    for k in range(gaze.size):
        gaze[k], vocal[k] = bh.gaze_vocal_probability(response[k], depressed[k], bid[k])


COMPILED_LOOPS = {phys.cortisol_level: _cortisol_level, phys.infant_cortisol_level: _infant_cortisol_level,
                  phys.infant_hpa_drive: _infant_hpa_drive, bh.response_attunement: _response_attunement,
                  bh.unsoothed_crying: _unsoothed_crying, bh.episode_contact: _episode_contact,
                  bh.gaze_vocal_probability: _gaze_vocal_probability}


def per_element_compiled(rule: Callable, *args, nout: int = 1, dtypes=(float,)):
    """:func:`per_element` for a rule without exp, log or power, compiled: the same numbers, bit for bit.

    ``rule`` must have a loop in :data:`COMPILED_LOOPS`. The arguments are broadcast and
    flattened, the rule runs element by element in its compiled loop and each output is stored
    with its dtype (``dtypes``, as in :func:`per_element`).
    """
    if rule not in COMPILED_LOOPS:
        raise ValueError(f"rule: {getattr(rule, '__name__', rule)!r} has no compiled loop "
                         f"(allowed {', '.join(f.__name__ for f in COMPILED_LOOPS)})")
    arrays = np.broadcast_arrays(*(np.asarray(a) for a in args))
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    types = dtypes if len(dtypes) == nout else dtypes * nout
    outs = tuple(np.empty(flat[0].size, t) for t in types)
    COMPILED_LOOPS[rule](*outs, *flat)
    if nout == 1:
        return outs[0].reshape(shape)
    return tuple(o.reshape(shape) for o in outs)


drop_stale_cache(cached_dispatchers(globals()), (bh, phys, state_module), "lab_engine_rules")
