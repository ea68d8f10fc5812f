"""The `argmap` command: a thin layer over the library; one module per command, imported only when it runs."""

from __future__ import annotations

import importlib
import logging

import click

from .. import __version__

#: Every command: name -> (its module in argmap/cli, which exports `command`; the line `argmap --help` shows).
#: The line is here so that `argmap --help` imports no command module (and none of the heavy libraries they
#: use); tests/test_project.py checks each line is the first sentence of the command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate_cmd", "Check Turtle files: syntax, SHACL shapes and references."),
    "query": ("query_cmd", "Run a SPARQL query: inline text, a .rq file, a named query, or - for stdin."),
    "build": (
        "build_cmd",
        "Render the graph as a static website: home, map, debate tree, a page per node, evidence health, search.",
    ),
    "serve": ("serve_cmd", "Serve the site and a read-only SPARQL 1.1 endpoint at /sparql."),
    "push": (
        "push_cmd",
        "Upload the graph to a triple store, then check the store holds it; invalid data is never pushed.",
    ),
    "fmt": ("fmt_cmd", "Rewrite Turtle files in canonical form: the graph stays the same, only the layout changes."),
    "diff": ("diff_cmd", "Show what a change does to the argument: nodes, relations, evidence, permalinks."),
    "analyse": (
        "analyse_cmd",
        "Show which statements stand, what a retraction would change, and where the evidence is thin.",
    ),
    "export": (
        "export_cmd",
        "Export the graph for other tools: Argdown, AIF (JSON, RDF), GraphML, CSV, Turtle, N-Triples, JSON-LD, BibTeX.",
    ),
    "new": (
        "new_cmd",
        "Add evidence, a source or a claim to the data: asks for what flags do not give, validates, saves atomically.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module when the command is looked up (click's documented pattern for
    lazily loaded subcommands), and lists the commands from COMMANDS without importing anything."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
            self.add_command(module.command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                if self.commands[name].hidden:
                    continue
                line = self.commands[name].get_short_help_str(limit)
            else:
                line = click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)
            rows.append((name, line))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="argmap")
def main() -> None:
    """argmap: the Public AI debate as an RDF knowledge graph and argument map.

    Validate the Turtle data, query it with SPARQL, and render it as a static website.
    """
    # rdflib logs a warning with a traceback for each ill-typed literal (e.g. "2026-13-45"^^xsd:date);
    # validation reports those itself, with file and line.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
