"""The `argmap` command: a thin layer over the library; one module per command."""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="argmap")
def main() -> None:
    """argmap: the Public AI debate as an RDF knowledge graph and argument map.

    Validate the Turtle data, query it with SPARQL, and render it as a static website.
    """


def _register() -> None:
    from . import validate_cmd, query_cmd

    for module in (validate_cmd, query_cmd):
        main.add_command(module.command)


_register()
