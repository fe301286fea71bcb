"""The parameters and the optimizer state: one record per parameter.

The kernels take the state as one array ``S`` of shape ``(n_features + 1,
n_targets, n_slots)``: ``S[j, k]`` is the record of coefficient ``j`` of
target ``k`` (``j == n_features``: the intercept), with the parameter ``w``,
the moving averages ``v`` and ``m``, the momentum buffer ``b``, the batch's
gradient sum ``g`` and the average of the iterates ``a`` (used with
``average``) in slots `W`, `V`, `M`, `B`, `G` and `A`.
"""

import numpy as np

# Slots of a record of S.
W, V, M, B, G, A = 0, 1, 2, 3, 4, 5
SLOTS = {"W": W, "V": V, "M": M, "B": B, "G": G, "A": A}

_CACHE_LINE = 64  # bytes


def zero_state(n_features, n_targets, dtype):
    """Parameters, optimizer state and gradient sums at zero.

    One buffer holds a record per parameter: its six values (in the slots the
    kernels name) and, in the record of the first target, the epoch's
    deferred-update marker of its column. ``S`` is the buffer as the kernels
    take it, of shape (n_features + 1, n_targets, n_slots); ``W``, ``V``, ``M``,
    ``B``, ``G`` and ``A`` are views of one slot, of shape (n_targets, n_features + 1),
    intercepts in the last column; ``mark`` is the markers (int64, one per
    feature). The sparse kernel visits columns in random order; with each
    float64 record padded to one aligned 64-byte cache line (float32 records:
    half a line), a column costs a single cache miss.
    """
    dtype = np.dtype(dtype)
    names = list(SLOTS)
    # The marker follows the values, at int64 alignment.
    mark_offset = (len(names) * dtype.itemsize + 7) // 8 * 8
    # A power-of-two record size divides the cache line: no record straddles two.
    record_size = 1 << (mark_offset + 8 - 1).bit_length()
    record = np.dtype(
        {
            "names": names + ["mark"],
            "formats": [dtype] * len(names) + [np.int64],
            "offsets": [SLOTS[name] * dtype.itemsize for name in names] + [mark_offset],
            "itemsize": record_size,
        }
    )
    n_bytes = (n_features + 1) * n_targets * record.itemsize
    raw = np.zeros(n_bytes + _CACHE_LINE, dtype=np.uint8)
    start = -raw.ctypes.data % _CACHE_LINE
    memory = raw[start : start + n_bytes]  # starts on a cache line
    buffer = memory.view(record).reshape(n_features + 1, n_targets)
    state = {name: buffer[name].T for name in names}
    state["mark"] = buffer["mark"][:-1, 0]
    n_slots = record_size // dtype.itemsize
    state["S"] = memory.view(dtype).reshape(n_features + 1, n_targets, n_slots)
    return state
