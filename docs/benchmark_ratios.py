"""The benchmark's targets as bars: each measured figure over its target.

The figures are those of the last full run, recorded in benchmarks.md; a bar
that ends left of 1 meets its target.
"""

import matplotlib.pyplot as plt

# (measure, measured, target): lower is better for every one of them.
TARGETS = [
    ("diabetes default fit / SGDRegressor", 4.61, 5),
    ("64 × 2 per epoch / SGDRegressor", 0.91, 1.5),
    ("README's grid / SGDRegressor grid", 2.04, 3),
    ("partial_fit per call / SGDRegressor", 0.91, 1),
    ("dense 200k × 20 per epoch / SGDRegressor", 0.26, 0.3),
    ("per epoch / random-order read floor", 1.47, 1.3),
    ("sparse per epoch / SGDRegressor", 3.94, 4),
    ("dense: NumPy loop / ours (higher is better)", 1 / 12.4, 1 / 10),
    ("float32 / float64 per epoch", 0.67, 0.7),
    ("first fit's compile (s)", 8.69, 3),
    ("classifier, 2 classes per epoch / SGDClassifier", 0.44, 0.5),
    ("classifier, 10 classes per epoch / SGDClassifier", 0.22, 0.5),
]

names = [name for name, _, _ in TARGETS]
shares = [measured / target for _, measured, target in TARGETS]
fig, ax = plt.subplots(figsize=(7.5, 5))
colors = ["tab:green" if share <= 1 else "tab:red" for share in shares]
ax.barh(names, shares, color=colors)
ax.axvline(1, color="black", linestyle="--", linewidth=1)
for y, (share, (_, measured, target)) in enumerate(zip(shares, TARGETS, strict=True)):
    if measured < 0.1:  # the one higher-is-better figure, kept as its inverse
        measured, target = 1 / measured, 1 / target
        text = f"{measured:.3g} (target ≥ {target:.3g})"
    else:
        text = f"{measured:.3g} (target ≤ {target:.3g})"
    ax.text(share + 0.03, y, text, va="center", fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("measured / target (left of the dashed line: met)")
ax.set_xlim(0, max(shares) * 1.45)
fig.tight_layout()
