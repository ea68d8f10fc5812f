"""Errors the library raises for user mistakes; the CLI turns them into one-line messages."""


class ArgmapError(Exception):
    """Base class: a problem the user can fix (bad input, missing file, unreachable endpoint)."""


class DataError(ArgmapError):
    """The data could not be read (missing file, syntax error)."""


class InvalidData(ArgmapError):
    """The data was read but does not conform; carries the validation report."""

    def __init__(self, report):
        self.report = report
        super().__init__(f"the data has {len(report.problems)} problem(s); run `argmap validate` for details")


class QueryError(ArgmapError):
    """A query could not be parsed or run."""


class EndpointError(ArgmapError):
    """A remote SPARQL endpoint could not be reached or answered badly."""


class ContributionError(ArgmapError):
    """A contribution (`argmap new`) cannot be made as given: an unknown item, a taken IRI, a malformed value."""


class GitError(ArgmapError):
    """A git revision or repository could not be read (`argmap diff`)."""


class QueryRefused(QueryError):
    """A query this endpoint will not run: an update, or a federated SERVICE call."""


class QueryTooDeep(QueryError):
    """A query nested too deeply to read safely (pyoxigraph's parser would overflow its stack)."""
