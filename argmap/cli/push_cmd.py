"""`argmap push`: upload the validated graph to a triple store (SPARQL 1.1 Graph Store HTTP Protocol)."""

from __future__ import annotations

import click

from ..errors import InvalidData
from .common import ProblemsFound, library_errors


@click.command("push")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="The store's Graph Store endpoint (Oxigraph: http://HOST:7878/store, Fuseki: …/DATASET/data).",
)
@click.option("--graph", metavar="IRI", help="Named graph to write to (default: the store's default graph).")
@click.option("--replace", is_flag=True, help="Replace the graph's contents (PUT) instead of adding to them (POST).")
@click.option(
    "--user",
    envvar="ARGMAP_USER",
    help="User for a store that needs auth (Basic or Digest, as the store asks); the password comes from the "
    "environment variable ARGMAP_PASSWORD.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the store.",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Do not read the graph back to check the store holds what was sent (for a store that cannot answer a "
    "Graph Store GET); the upload is then unchecked.",
)
@click.option(
    "--query-endpoint",
    metavar="URL",
    help="Verify with SPARQL COUNTs on this query endpoint instead of reading the graph back (needs --graph); "
    "for stores that cap what a Graph Store GET returns (Virtuoso: ResultSetMaxRows, 10000 by default).",
)
@library_errors
def command(paths, endpoint, graph, replace, user, timeout, no_verify, query_endpoint) -> None:
    """Upload the graph to a triple store, then check the store holds it; invalid data is never pushed.

    PATHS default to the data/ files. The data is validated first (as `argmap validate`); the upload uses
    the SPARQL 1.1 Graph Store HTTP Protocol, so it works with Oxigraph, Fuseki, GraphDB, Virtuoso and others.
    Afterwards the graph is read back (a Graph Store GET) and compared with what was sent: with --replace it
    must hold exactly the triples sent, without it at least all of them (--query-endpoint: counted with SPARQL
    there instead). Redirects are not followed.

    Exit codes: 0 pushed and verified; 1 the data is invalid (nothing sent); 2 the store could not be reached,
    refused, redirected, or does not hold what was sent.

    \b
    Examples:
      argmap push --endpoint http://127.0.0.1:7878/store
      argmap push --endpoint http://127.0.0.1:3030/argmap/data --graph https://w3id.org/argmap/graph --replace
      ARGMAP_PASSWORD=dba argmap push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
          --graph https://w3id.org/argmap/graph --replace --user dba --query-endpoint http://127.0.0.1:8890/sparql
    """
    from ..push import graph_store_url, push_store
    from ..remote import target
    from ..validate import REPORT_FORMATS, load_valid

    target(endpoint, user)  # a bad URL or a missing password fails before the data is read
    graph_store_url(endpoint, graph)
    if query_endpoint is not None:
        target(query_endpoint, password="")
    try:
        loaded = load_valid(paths or None)
    except InvalidData as exc:
        click.echo(REPORT_FORMATS["text"](exc.report), err=True, nl=False)
        raise ProblemsFound("refusing to push invalid data; fix the problems above (see `argmap validate`)") from None
    result = push_store(
        loaded.store,
        endpoint,
        graph=graph,
        replace=replace,
        user=user,
        timeout=timeout,
        verify=not no_verify,
        query_endpoint=query_endpoint,
    )
    if no_verify:
        click.echo("Warning: --no-verify: the store was not asked whether it holds the graph.", err=True)
    click.echo(result.summary())
