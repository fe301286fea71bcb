"""Sphinx configuration for the sk-rmsprop documentation."""

import os
import re
import sys

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx_gallery.sorting import ExplicitOrder

import sk_rmsprop

project = "sk-rmsprop"
copyright = "the sk-rmsprop developers"
release = version = sk_rmsprop.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax served from the site, not from a CDN
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",  # [source] links on the API pages
    "matplotlib.sphinxext.plot_directive",  # the benchmarks' bar chart
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_title = f"sk-rmsprop {version}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
# Pages without subsections get no empty "Section Navigation" sidebar.
html_sidebars = {
    "index": [],
    "install": [],
    "when_to_use": [],
    "user_guide": [],
    "dask": [],
    "cli": [],
    "benchmarks": [],
    "benchmark_log": [],
    "changelog": [],
}
# `name` in a docstring or page is a cross-reference to a Python object.
default_role = "py:obj"
autosummary_generate = True
numpydoc_show_class_members = False
myst_heading_anchors = 3


def _defined_by(value, module_name):
    """Whether ``value`` is defined in ``module_name``, or in a private module
    beside it that it re-exports from (as ``sklearn.utils.metadata_routing``)."""
    defined = getattr(value, "__module__", None) or ""
    parent = module_name.rpartition(".")[0]
    return defined == module_name or defined.startswith(parent + "._")


def _sklearn_inventory(path):
    """Write a Sphinx inventory of scikit-learn's public API, from the installed
    package, and return its path.

    The build has no network, so scikit-learn's own objects.inv cannot be
    fetched. Its API pages follow one pattern,
    ``modules/generated/<module>.<name>.html``, so the names each public
    module exports are enough to link them, at the installed version.
    """
    import importlib
    import inspect
    import zlib

    import sklearn
    from sklearn.experimental import (  # noqa: F401  (their names exist once enabled)
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    modules = [f"sklearn.{name}" for name in sklearn.__all__ if not name[0].isupper()]
    modules += [
        "sklearn.utils.class_weight",
        "sklearn.utils.validation",
        "sklearn.utils.multiclass",
        "sklearn.utils.extmath",
        "sklearn.utils.metadata_routing",
    ]
    lines = []
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an optional or experimental module
            continue
        lines.append(f"{module_name} py:module 0 api/{module_name}.html -")
        names = getattr(module, "__all__", None) or [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and _defined_by(value, module_name)
        ]
        for name in names:
            try:
                obj = getattr(module, name, None)
            except ImportError:  # another experimental name
                continue
            if inspect.isclass(obj):
                role = "py:class"
            elif callable(obj):
                role = "py:function"
            else:
                continue
            full = f"{module_name}.{name}"
            lines.append(f"{full} {role} 1 modules/generated/{full}.html#$ -")
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: scikit-learn\n"
        f"# Version: {sklearn.__version__}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(header.encode())
        file.write(zlib.compress("\n".join(lines).encode() + b"\n"))
    return path


# No network at build time: inventories made from the installed packages.
intersphinx_mapping = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        _sklearn_inventory(
            os.path.join(os.path.dirname(__file__), "_build", "sklearn.inv")
        ),
    ),
}

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    # A teaching order: the tutorial's line first, the cluster last.
    "within_subsection_order": ExplicitOrder(
        [
            "plot_tutorial_line_fit.py",
            "plot_badly_scaled.py",
            "plot_diabetes_grid_search.py",
            "plot_robust_losses.py",
            "plot_classifier_losses.py",
            "plot_streaming.py",
            "plot_streaming_text_classification.py",
            "plot_dask.py",
        ]
    ),
    # The pages of computation times are for developers, and came twice in
    # the search results.
    "write_computation_times": False,
    # "Examples using this class" on the API pages.
    "doc_module": ("sk_rmsprop",),
    "backreferences_dir": "generated/backreferences",
}

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.abspath(".."))


class CommandHelp(Directive):
    """``.. command-help:: SUBCOMMAND``: the sk-rmsprop --help text, as built."""

    optional_arguments = 1

    def run(self):
        from sk_rmsprop.cli import build_parser

        parser = build_parser()
        if self.arguments:
            subparsers = next(
                action for action in parser._actions if action.dest == "command"
            )
            parser = subparsers.choices[self.arguments[0]]
        text = parser.format_help()
        block = nodes.literal_block(text, text)
        block["language"] = "text"  # help text, not Python to highlight
        return [block]


def _plain_sklearn_markup(app, what, name, obj, options, lines):
    """Render the docstrings inherited from scikit-learn (score, get_params...)
    in this site's terms.

    They refer to labels of scikit-learn's own site (``:ref:``), which this
    build cannot resolve, and mark literals with single backticks, which
    scikit-learn renders as code and this site's default role as a
    cross-reference. Their labels become plain text, their literals code.
    """
    if not (getattr(obj, "__module__", None) or "").startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        line = re.sub(r":ref:`([^`<]*?)\s*<[^`>]*>`", r"\1", line)
        line = re.sub(r":ref:`([^`]*)`", r"\1", line)
        lines[i] = re.sub(r"(?<![`:\w])`([^`]+)`(?!`)", r"``\1``", line)


def setup(app):
    app.add_directive("command-help", CommandHelp)
    app.connect("autodoc-process-docstring", _plain_sklearn_markup)
