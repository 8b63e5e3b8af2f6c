"""Domain errors, each mapped to one CLI exit status and one HTTP status."""


class TipsearchError(Exception):
    """Base class for errors a user can act on."""

    exit_code = 2
    http_status = 500


class NothingIndexed(TipsearchError):
    """No file given to a build held a narrative; exit status 1."""

    exit_code = 1


class ExtractionError(TipsearchError):
    """A file could not be read or parsed; the message names the file and the reason."""

    http_status = 422


class QueryRejected(TipsearchError):
    """A query or a search parameter is not acceptable."""

    http_status = 400


class IndexUnavailable(TipsearchError):
    """There is no index at the configured place, or it cannot be opened."""

    http_status = 503


class DocumentNotFound(TipsearchError):
    """No narrative with the requested id is in the index."""

    http_status = 404


class IndexBusy(TipsearchError):
    """Another job is writing the index; exit status 75 (EX_TEMPFAIL): try again later."""

    exit_code = 75
    http_status = 503


class FilterRejected(QueryRejected):
    """A filter value names nothing the index holds; ``suggestions`` are (value, label) of close ones."""

    def __init__(self, problem: str, name: str, suggestions: list[tuple[str, str]]):
        labels = " or ".join(label for _, label in suggestions)
        super().__init__(f"{problem}; did you mean {labels}?" if suggestions else problem)
        self.problem = problem
        self.name = name
        self.suggestions = suggestions
