"""Sphinx configuration for the sk-rmsprop documentation."""

import os
import sys

from docutils import nodes
from docutils.parsers.rst import Directive

import sk_rmsprop

project = "sk-rmsprop"
copyright = "the sk-rmsprop developers"
release = version = sk_rmsprop.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_title = "sk-rmsprop"
autosummary_generate = True
numpydoc_show_class_members = False
myst_heading_anchors = 3

intersphinx_mapping = {}  # no network at build time

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"sk_rmsprop": None},
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
        return [nodes.literal_block(text, text)]


def setup(app):
    app.add_directive("command-help", CommandHelp)
