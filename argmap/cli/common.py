"""What every command shares: the exit-code table and turning library errors into one-line CLI errors.

Exit codes (the README's table):
  0  done; the data conforms
  1  the input was read and has problems: validation violations, invalid data refused by build or push,
     `fmt --check` would change a file, `diff --check` found a change that is not allowed
  2  the command could not run: a usage error, a missing or unreadable file, a bad query, an unreachable store
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TypeVar

import click

from ..errors import ArgmapError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_ERROR = 2

F = TypeVar("F", bound=Callable[..., object])


class CommandError(click.ClickException):
    """A one-line `Error: …` on stderr and exit code 2: the command could not run."""

    exit_code = EXIT_ERROR


class ProblemsFound(click.ClickException):
    """A one-line `Error: …` on stderr and exit code 1: the input was read and has problems."""

    exit_code = EXIT_PROBLEMS


def library_errors(func: F) -> F:
    """Decorate a command so that any `ArgmapError` the library raises becomes a one-line error, exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ArgmapError as exc:
            raise CommandError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def format_option(names: Iterable[str], default: str, help: str) -> Callable[[F], F]:
    """The one `--format` option every command shares (as sqlite-utils' output_options): passed as `fmt`."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(names)),
        default=default,
        show_default=True,
        help=help,
    )


def data_option(verb: str) -> Callable[[F], F]:
    """The `-d/--data` option of the commands that read the debate's Turtle (passed as `paths`)."""
    return click.option(
        "-d",
        "--data",
        "paths",
        multiple=True,
        type=click.Path(path_type=str),
        help=f"Turtle file or directory to {verb} (repeatable; - reads standard input; default: the data/ files).",
    )
