"""`argmap query`: SPARQL on the embedded store or any SPARQL 1.1 endpoint."""

from __future__ import annotations

import sys

import click

from ..formats import FORMAT_NAMES, render
from ..query import named_queries, resolve_query, run_query
from .common import data_option, format_option, library_errors


@click.command("query")
@click.argument("query", required=False)
@data_option("query")
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead of the embedded store.")
@format_option(
    FORMAT_NAMES, "table", "table/csv/tsv/json for SELECT and ASK; turtle/ntriples/jsonld for CONSTRUCT and DESCRIBE."
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for an endpoint.")
@click.option(
    "--user", envvar="ARGMAP_USER", help="User for an endpoint that needs auth (password from ARGMAP_PASSWORD)."
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and the question each answers.")
@library_errors
def command(query, paths, endpoint, fmt, timeout, user, list_queries) -> None:
    """Run a SPARQL query: inline text, a .rq file, a named query, or - for stdin.

    The project prefixes (am:, claim:, view:, evidence:, …) are declared for you.

    \b
    Examples:
      argmap query --list
      argmap query evidence-per-response --format csv
      argmap query 'SELECT ?v ?label WHERE { ?v a am:OpposingView ; rdfs:label ?label }'
      argmap query my-question.rq --format json
      argmap query single-source-claims --endpoint http://127.0.0.1:7878/query
    """
    if list_queries:
        for named in named_queries():
            click.echo(f"{named.name:<32} {named.question}")
        return
    if not query:
        raise click.UsageError("give a query (text, .rq file, named query or -), or --list")
    text = resolve_query(query, sys.stdin)
    if endpoint:
        from ..remote import run_remote_query

        result = run_remote_query(endpoint, text, timeout=timeout, user=user)
    else:
        from ..load import load_paths

        result = run_query(load_paths(paths).store, text)
    click.echo(render(result, fmt), nl=False)
