"""Epoch orders: each a pure function of (seed, epoch number), compiled.

An epoch visits the training rows in an order drawn from a counter-based
generator keyed by the seed and the epoch number, so that any epoch's order
can be drawn again on its own: by the compiled fit loop, by a worker thread
that prepares the next epoch, by a resumed fit or stream, or by a test that
replays it. Nothing here keeps state between calls.

The generator is SplitMix64: output ``c`` of a stream is the SplitMix64 mix
of ``key + c * 0x9E3779B97F4A7C15``, the key itself a mix of the seed and
the epoch number. The order is a Fisher-Yates shuffle of the rows, each swap
index drawn without bias (Lemire's multiply-and-reject method), so every
permutation is equally likely up to the quality of the generator, which
passes the BigCrush statistical tests.
"""

import numpy as np

from ._compile import jit

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_LOW_32 = np.uint64(0xFFFFFFFF)


@jit(inline="always")
def _mix(z):
    """The SplitMix64 output function: a bijection of uint64 that scrambles bits."""
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@jit(inline="always")
def _below(key, counter, bound):
    """A uniform integer in [0, bound) from the stream ``key``; bound >= 1.

    Returns the integer and the next counter. Lemire's method for bounds up
    to 2**32: the high half of ``x * bound`` for a 32-bit ``x``, redrawn in the
    rare case the low half falls in the biased sliver. Larger bounds use the
    remainder of a 64-bit draw, redrawn below the biased threshold.
    """
    if bound <= np.uint64(1) << np.uint64(32):
        while True:
            counter += np.uint64(1)
            x = _mix(key + counter * _GAMMA) >> np.uint64(32)
            m = x * bound
            low = m & _LOW_32
            if low >= bound or low >= ((np.uint64(1) << np.uint64(32)) - bound) % bound:
                return m >> np.uint64(32), counter
    while True:
        counter += np.uint64(1)
        x = _mix(key + counter * _GAMMA)
        if x >= (np.uint64(0) - bound) % bound:
            return x % bound, counter


@jit(nogil=True)
def shuffled_rows(rows, seed, epoch, out):
    """Write into ``out`` the rows of ``rows`` in epoch ``epoch``'s order.

    ``seed`` and ``epoch`` are non-negative integers; the same pair always
    gives the same order, and different epochs of one seed independent ones.
    """
    n = rows.shape[0]
    for i in range(n):
        out[i] = rows[i]
    key = _mix(_mix(np.uint64(seed) + _GAMMA) + np.uint64(epoch) * _GAMMA)
    counter = np.uint64(0)
    for i in range(n - 1, 0, -1):
        j, counter = _below(key, counter, np.uint64(i + 1))
        k = np.int64(j)
        out[i], out[k] = out[k], out[i]


def epoch_order(rows, seed, epoch, shuffle):
    """The order in which epoch number ``epoch`` visits ``rows``.

    ``rows`` itself without shuffling; otherwise a new array.
    """
    if not shuffle:
        return rows
    order = np.empty_like(rows)
    shuffled_rows(rows, seed, epoch, order)
    return order
