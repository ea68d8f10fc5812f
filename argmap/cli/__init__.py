"""The `argmap` command: a thin layer over the library; one module per command."""

from __future__ import annotations

import logging

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="argmap")
def main() -> None:
    """argmap: the Public AI debate as an RDF knowledge graph and argument map.

    Validate the Turtle data, query it with SPARQL, and render it as a static website.
    """
    # rdflib logs a warning with a traceback for each ill-typed literal (e.g. "2026-13-45"^^xsd:date);
    # validation reports those itself, with file and line.
    logging.getLogger("rdflib").setLevel(logging.ERROR)


def _register() -> None:
    from . import build_cmd, diff_cmd, fmt_cmd, new_cmd, push_cmd, query_cmd, serve_cmd, validate_cmd

    for module in (validate_cmd, query_cmd, build_cmd, serve_cmd, push_cmd, diff_cmd):
        main.add_command(module.command)
    for module in (fmt_cmd, new_cmd):
        main.add_command(module.command)


_register()
