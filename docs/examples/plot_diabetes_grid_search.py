"""
Diabetes: a Pipeline with a grid search
=======================================

StandardScaler then RMSpropRegressor, tuned over learning rate and batch
size with GridSearchCV, against LinearRegression's exact solution.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_rmsprop import LossCurveDisplay, RMSpropRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

pipe = Pipeline(
    [("scale", StandardScaler()), ("model", RMSpropRegressor(random_state=0))]
)
grid = {"model__learning_rate": [0.003, 0.01, 0.03], "model__batch_size": [16, 64]}
search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_train, y_train)
exact = LinearRegression().fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(
    f"held-out R²: RMSprop {search.score(X_test, y_test):.4f}, "
    f"LinearRegression {exact.score(X_test, y_test):.4f}"
)

# %%
# The loss curve of the best model, with the epoch where the ``tol`` rule
# stopped it.
display = LossCurveDisplay.from_estimator(search.best_estimator_, name="best")
display.ax_.set_yscale("log")
plt.show()
