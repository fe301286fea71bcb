"""
Training and searching on a Dask cluster
========================================

A local cluster stands in for a real one. A grid search runs its fits on
the workers, and ``partial_fit_blocks`` trains on a Dask array block by
block, each step on the worker that holds the block.
"""

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sk_rmsprop import LossCurveDisplay, RMSpropRegressor
from sk_rmsprop.dask import partial_fit_blocks, predict_blocks

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)

rng = np.random.default_rng(0)
X_local = rng.normal(size=(20_000, 5))
y_local = X_local @ [1.0, -2.0, 0.5, 0.0, 3.0] + 1.0 + 0.1 * rng.normal(size=20_000)

# %%
# A grid search whose fits run on the cluster.
search = GridSearchCV(
    RMSpropRegressor(random_state=0, n_iter=30, tol=None),
    {"learning_rate": [0.003, 0.01, 0.03], "batch_size": [32, 256]},
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_config(backend="dask"):
    search.fit(X_local[:5_000], y_local[:5_000])
print("best:", search.best_params_, f"R² {search.best_score_:.4f}")

# %%
# Training on a Dask array of 8 blocks, 4 passes over them.
X = da.from_array(X_local, chunks=(2_500, 5))
y = da.from_array(y_local, chunks=2_500)
model = partial_fit_blocks(
    RMSpropRegressor(learning_rate=0.01, random_state=0), X, y, epochs=4
)
prediction = predict_blocks(model, X)  # lazy, block by block
r2 = np.corrcoef(prediction.compute(), y_local)[0, 1] ** 2
print(f"{model.t_} updates; R² on the training data {r2:.5f}")

display = LossCurveDisplay.from_estimator(model, name="one point per block")
display.ax_.set_yscale("log")
display.ax_.set_xlabel("partial_fit call (block)")
plt.show()

client.close()
cluster.close()
