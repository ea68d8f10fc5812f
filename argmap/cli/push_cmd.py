"""`argmap push`: upload the validated graph to a triple store (SPARQL 1.1 Graph Store HTTP Protocol)."""

from __future__ import annotations

import os

import click

from ..errors import ArgmapError, InvalidData


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
    help="User for a store that needs auth; the password comes from the environment variable ARGMAP_PASSWORD.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the store.",
)
def command(paths, endpoint, graph, replace, user, timeout) -> None:
    """Upload the graph to a triple store; invalid data is never pushed.

    PATHS default to the data/ files. The data is validated first (as `argmap validate`); the upload uses
    the SPARQL 1.1 Graph Store HTTP Protocol, so it works with Oxigraph, Fuseki, GraphDB, Virtuoso and others.

    \b
    Examples:
      argmap push --endpoint http://127.0.0.1:7878/store
      argmap push --endpoint http://127.0.0.1:3030/argmap/data --graph https://w3id.org/argmap/graph --replace
      ARGMAP_PASSWORD=secret argmap push --endpoint https://store.example.org/data --user scholar
    """
    from ..push import push_store
    from ..validate import REPORT_FORMATS, load_valid

    password = os.environ.get("ARGMAP_PASSWORD")
    if user is not None and password is None:
        raise click.ClickException("--user is given but ARGMAP_PASSWORD is not set; set it to the store's password")
    try:
        loaded = load_valid(paths or None)
    except InvalidData as exc:
        click.echo(REPORT_FORMATS["text"](exc.report), err=True, nl=False)
        raise click.ClickException(
            "refusing to push invalid data; fix the problems above (see `argmap validate`)"
        ) from None
    except ArgmapError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        result = push_store(
            loaded.store, endpoint, graph=graph, replace=replace, user=user, password=password, timeout=timeout
        )
    except ArgmapError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(result.summary())
