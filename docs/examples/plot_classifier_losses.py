"""
The classifier's losses
=======================

:class:`~sk_rmsprop.RMSpropClassifier` offers SGDClassifier's losses: the
logistic loss (a softmax over the classes when there are more than two),
the hinge loss of a linear SVM, its square, and the modified Huber loss.
Here each is fitted to three overlapping classes in two dimensions; the
logistic loss trains one multinomial model, the others one output per class
(one-vs-rest), all in the same pass over the data. The shading is the
decision regions; for the two losses with probabilities, the held-out log
loss is printed too.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_rmsprop import RMSpropClassifier

X, y = make_blobs(n_samples=1_500, centers=3, cluster_std=2.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
grid = np.meshgrid(
    np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 200),
    np.linspace(X[:, 1].min() - 1, X[:, 1].max() + 1, 200),
)
points = np.column_stack([grid[0].ravel(), grid[1].ravel()])

fig, axes = plt.subplots(2, 2, figsize=(8, 7), sharex=True, sharey=True)
losses = ["log_loss", "hinge", "squared_hinge", "modified_huber"]
for ax, loss in zip(axes.ravel(), losses, strict=True):
    classifier = RMSpropClassifier(loss=loss, random_state=0)
    model = make_pipeline(StandardScaler(), classifier)
    model.fit(X_train, y_train)
    accuracy = model.score(X_test, y_test)
    line = f"{loss}: held-out accuracy {accuracy:.3f}"
    if hasattr(model, "predict_proba"):
        line += f", log loss {log_loss(y_test, model.predict_proba(X_test)):.3f}"
    print(line)
    regions = model.predict(points).reshape(grid[0].shape)
    ax.contourf(*grid, regions, alpha=0.3, levels=[-0.5, 0.5, 1.5, 2.5])
    ax.scatter(*X_test.T, c=y_test, s=8)
    ax.set_title(f"{loss} ({accuracy:.3f})")
fig.tight_layout()
plt.show()
