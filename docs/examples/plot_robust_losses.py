"""
Robust and quantile losses under heavy-tailed noise
===================================================

Five features, a known linear model, and noise from Student's t with 1.5
degrees of freedom: most residuals are small, a few are enormous, and the
variance is infinite. Squared error lets those few pull the coefficients
around; the Huber loss (quadratic up to ``huber_delta``, linear beyond) and
the epsilon-insensitive loss give each outlier a bounded pull.

Every fit uses the accuracy recipe of the user guide (a small step with
momentum, iterate averaging, a tight ``tol``). The first panel shows each
loss's largest coefficient error against the truth; the second, the 10%, 50%
and 90% quantile lines that ``loss="quantile"`` fits to one feature of
heteroscedastic data.
"""

import matplotlib.pyplot as plt
import numpy as np

from sk_rmsprop import RMSpropRegressor

recipe = dict(learning_rate=0.001, momentum=0.9, average=True, tol=1e-5)

rng = np.random.default_rng(0)
X = rng.normal(size=(2_000, 5))
truth = np.array([1.0, -2.0, 0.5, 3.0, 0.0])
y = X @ truth + rng.standard_t(1.5, size=len(X))

losses = ["squared_error", "huber", "epsilon_insensitive", "quantile"]
errors = []
for loss in losses:
    model = RMSpropRegressor(loss=loss, random_state=0, **recipe).fit(X, y)
    errors.append(np.max(np.abs(model.coef_ - truth)))
    print(f"{loss:<22} largest coefficient error {errors[-1]:.3f}")

# Quantile lines: the noise grows with x.
x = rng.uniform(0, 4, size=1_500)
y_het = 1.0 + 0.5 * x + (0.2 + 0.4 * x) * rng.normal(size=x.size)
grid = np.linspace(0, 4, 50).reshape(-1, 1)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.bar(losses, errors, color=["tab:gray", "tab:blue", "tab:green", "tab:orange"])
left.set_ylabel("largest |coef - truth|")
left.set_title("Heavy-tailed noise (t, 1.5 dof)")
left.tick_params(axis="x", labelrotation=20)

right.scatter(x, y_het, s=4, alpha=0.3, color="tab:gray")
for q in (0.1, 0.5, 0.9):
    model = RMSpropRegressor(loss="quantile", quantile=q, random_state=0, **recipe)
    model.fit(x.reshape(-1, 1), y_het)
    right.plot(grid, model.predict(grid), label=f"quantile={q}")
right.set_xlabel("x")
right.set_title('loss="quantile"')
right.legend()
fig.tight_layout()
plt.show()
