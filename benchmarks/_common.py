"""What the benchmark's sections share: timing, and word-like sparse rows."""

import time

import numpy as np
import scipy.sparse as sp


def seconds(function):
    """Wall seconds of one call of ``function``."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def zipf_rows(n_samples, n_features, nnz_per_row, rng):
    """CSR rows of ``nnz_per_row`` column draws with Zipf frequencies (p ~ 1/rank).

    As in hashed text: a few columns appear in most rows, most in very few.
    Values are 1 (a column drawn twice in a row holds 2).
    """
    p = 1.0 / np.arange(1, n_features + 1)
    p /= p.sum()
    indices = rng.choice(n_features, size=n_samples * nnz_per_row, p=p)
    indptr = np.arange(0, (n_samples + 1) * nnz_per_row, nnz_per_row)
    data = np.ones(n_samples * nnz_per_row)
    X = sp.csr_array(
        (data, indices.astype(np.int32), indptr.astype(np.int32)),
        shape=(n_samples, n_features),
    )
    X.sum_duplicates()
    return X
