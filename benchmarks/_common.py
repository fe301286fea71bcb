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


def print_time_to_threshold(results, thresholds, metric, competitor):
    """The table of a time-to-accuracy section, and ours over the competitor's.

    ``results`` maps each method (ours start with "RMSprop", the
    competitor's with its name's first three letters) to ``(fastest, best)``:
    per threshold the fastest ``(seconds, setting)`` or None, and the best
    value of ``metric`` reached.
    """
    labels = [f"within {round(100 * (t - 1))}%" for t in thresholds]
    print("| method | " + " | ".join(labels) + f" | best held-out {metric} |")
    print("|---|" + "---|" * (len(labels) + 1))
    for name, (fastest, best) in results.items():
        cells = [
            "never" if hit is None else f"{hit[0]:.2f} s ({hit[1]})"
            for hit in fastest.values()
        ]
        print(f"| {name} | " + " | ".join(cells) + f" | {best:.4g} |")
    for threshold, label in zip(thresholds, labels, strict=True):
        hits = {"ours": [], "theirs": []}
        for name, (fastest, _) in results.items():
            if fastest[threshold] is not None:
                side = "ours" if name.startswith("RMSprop") else "theirs"
                hits[side].append(fastest[threshold][0])
        if hits["ours"] and hits["theirs"]:
            ratio = min(hits["ours"]) / min(hits["theirs"])
            print(
                f"\nOurs (any setting) / {competitor}'s fastest, {label}: {ratio:.2f}"
            )
        elif hits["ours"] or hits["theirs"]:
            who = "ours" if hits["ours"] else competitor
            print(f"\n{label}: only {who} gets there.")
