"""`argmap serve`: the built site as static files, and a read-only SPARQL 1.1 Protocol endpoint at /sparql.

HTTP is Starlette on uvicorn (as Datasette serves): uvicorn/h11 frame requests (a malformed or negative
Content-Length is a 400 there), keep a deep listen queue, and close idle keep-alive connections; on top of
that, a connection that has not sent a whole request head within `REQUEST_TIMEOUT` is closed, a body is
read to at most `MAX_BODY` bytes (413 past it, nothing buffered beyond) within `REQUEST_TIMEOUT` (408), and
static files come from Starlette's `StaticFiles`, which does not follow a symlink out of the site folder.

Queries run in worker processes that hold their own copy of the graph, because a running pyoxigraph query
cannot be cancelled from Python but a process can be killed. Each worker:

- reads the query with a real SPARQL parser first (`protocol.check_query`): updates get 403, any SERVICE
  pattern 403, a query the parser cannot read or one nested too deeply 400, before pyoxigraph sees it;
- cannot open a network socket: a seccomp filter (Linux x86-64 and arm64) makes socket() fail for every
  family but AF_UNIX, so even a query both parsers misread cannot make the server fetch another host;
- has a memory ceiling (RLIMIT_AS, `worker_memory` above what it holds after loading): a query that
  needs more dies alone, the client gets 503 and a fresh worker takes its place;
- stops a result at `max_results` rows (or triples) or `max_bytes` bytes (422, with a hint to add LIMIT).

Workers are a general pool plus one quick lane: a query waits at most `queue_wait` seconds for a free
worker (503 with Retry-After past it), its `timeout` starts only when a worker takes it (queue time is not
charged), and when every general worker is busy with slow queries the quick lane still answers cheap ones
(a query there may run `QUICK_LIMIT` seconds; past that it is stopped with 503 and Retry-After).

CORS stays open (`Access-Control-Allow-Origin: *`, no credentials): the endpoint is read-only, serves only
the published debate, uses no cookies or authentication, and can no longer be made to fetch anything, so a
page on another origin can read only what it could download from the site anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import io
import logging
import multiprocessing
import os
import platform
import queue
import resource
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import parse_qsl

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import PREFIXES
from .errors import ArgmapError, QueryError, QueryRefused, QueryTooDeep
from .export import turtle_of
from .protocol import GRAPH_TYPES, RESULTS_TYPES, CheckedQuery, check_query, content_type, negotiate
from .query import syntax_message

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_MAX_BYTES = 16_000_000  # bytes of result a query may return
DEFAULT_WORKERS = 2
DEFAULT_WORKER_MEMORY = 1024  # MB a worker may grow by while answering
QUICK_LIMIT = 1.0  # seconds a query may run on the quick lane
MAX_BODY = 1_000_000  # bytes of request body a client may send
REQUEST_TIMEOUT = 10.0  # seconds to send a request's head, and again its body
BACKLOG = 1024  # the listen queue (the kernel caps it at net.core.somaxconn)
MAX_CONNECTIONS = 2000  # connections and requests in flight before uvicorn answers 503
ENDPOINT_PATH = "/sparql"


class ServerError(ArgmapError):
    """The server could not start (port in use, bad directory, worker failed to load the data)."""


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


@dataclass(frozen=True)
class QueryRequest:
    text: str
    accept: str | None
    format_param: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Inside a worker process: no network, bounded memory
# ---------------------------------------------------------------------------------------------------------

# (audit arch, socket(), io_uring_setup()) syscall numbers
_SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}


def forbid_network() -> bool:
    """Install a seccomp filter: from now on socket() fails (EPERM) for every family but AF_UNIX.

    Also refused: io_uring (which can open sockets itself) and any syscall from a foreign ABI (x32, i386).
    Returns False where this cannot be done (not Linux x86-64/arm64, or seccomp unavailable).
    """
    arch = _SECCOMP_ARCHES.get(platform.machine())
    if arch is None or not hasattr(ctypes, "CDLL"):
        return False
    audit, nr_socket, nr_io_uring = arch
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    program = [  # (code, jump if true, jump if false, k); seccomp_data: nr @0, arch @4, args[0] @16
        (ld, 0, 0, 4),
        (jeq, 1, 0, audit),
        (ret, 0, 0, deny),  # another ABI
        (ld, 0, 0, 0),
        (jge, 5, 0, 0x40000000),  # x32 syscalls -> deny
        (jeq, 4, 0, nr_io_uring),  # -> deny
        (jeq, 0, 2, nr_socket),  # not socket() -> allow
        (ld, 0, 0, 16),
        (jeq, 0, 1, socket.AF_UNIX),
        (ret, 0, 0, allow),
        (ret, 0, 0, deny),
    ]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.addressof(code))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it uses now plus `extra_mb` MB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 512 * 2**20
    ceiling = used + extra_mb * 2**20
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


class _Capped(io.RawIOBase):
    """A write-only buffer that stops a serializer past `max_lines` lines or `max_bytes` bytes."""

    def __init__(self, max_lines: int, max_bytes: int):
        self.buffer = io.BytesIO()
        self.lines = 0
        self.max_lines, self.max_bytes = max_lines, max_bytes
        self.over: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        data = bytes(data)
        self.lines += data.count(b"\n")
        if self.lines > self.max_lines:
            self.over = "rows"
        elif self.buffer.tell() + len(data) > self.max_bytes:
            self.over = "bytes"
        if self.over:
            raise OSError(f"result over the {self.over} cap")
        return self.buffer.write(data)


def _over_cap(what: str, max_results: int, max_bytes: int, form: str) -> Answer:
    if what == "bytes":
        return Answer.text(
            422,
            f"The result is larger than {max_bytes} bytes, this endpoint's cap. Add a LIMIT, select fewer or "
            "shorter values, or restart `argmap serve` with a larger --max-bytes.",
        )
    unit = "triples" if form == "graph" else "rows"
    return Answer.text(
        422,
        f"The result has more than {max_results} {unit}, this endpoint's cap. "
        "Add a LIMIT (or an aggregate) to the query, or restart `argmap serve` with a larger --max-results.",
    )


def _malformed(text: str, checked_message: str, sandboxed: bool) -> Answer:
    """400 for a query the parser could not read, with pyoxigraph's clearer message where it is safe to ask.

    pyoxigraph has no parse-only call, so its message comes from running the query on an empty store; that is
    done only in a worker that cannot open sockets (a query the gate could not read is never run on the data).
    """
    if sandboxed:
        try:
            ox.Store().query(text, prefixes=PREFIXES)
        except SyntaxError as exc:
            message = str(exc.msg if getattr(exc, "msg", None) else exc)
            return Answer.text(400, f"Malformed query: {syntax_message(text, message)}")
        except Exception:  # noqa: BLE001 - any other outcome: keep the gate's own message
            pass
    hint = " (\\u escapes are not accepted here: write the character itself)" if "\\u" in text.lower() else ""
    return Answer.text(400, f"Malformed query: {checked_message}{hint}")


def evaluate(
    store: ox.Store,
    request: QueryRequest,
    *,
    max_results: int = DEFAULT_MAX_RESULTS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sandboxed: bool = False,
    check=check_query,
) -> Answer:
    """Read, check and run one query; serialize its answer in the negotiated format within the caps."""
    try:
        checked: CheckedQuery = check(request.text)
    except QueryRefused as exc:
        return Answer.text(403, f"This endpoint is read-only: {exc}.")
    except QueryTooDeep as exc:
        return Answer.text(400, f"Malformed query: {exc}.")
    except QueryError as exc:
        return _malformed(request.text, str(exc), sandboxed)
    media = negotiate(checked.form, request.accept, request.format_param)
    if media is None:
        offered = ", ".join(GRAPH_TYPES if checked.form == "graph" else RESULTS_TYPES)
        asked = request.format_param or request.accept
        return Answer.text(406, f"Cannot answer a {checked.form.upper()} query as {asked}; offered: {offered}")
    options: dict = {"prefixes": PREFIXES}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
    sink = _Capped(max_results + 1, max_bytes)  # + 1: the TSV header line
    try:
        answer = store.query(checked.text, **options)
        if isinstance(answer, ox.QueryBoolean):
            body = answer.serialize(format=RESULTS_TYPES[media]) or b""
        elif isinstance(answer, ox.QuerySolutions):
            # TSV writes one line per row (terms in N-Triples syntax, lossless): the sink counts rows as
            # pyoxigraph streams them and stops it at either cap; other formats are pyoxigraph's own rewrite.
            answer.serialize(cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
            tsv = sink.buffer.getvalue()
            results_format = RESULTS_TYPES[media]
            body = (
                tsv
                if results_format == ox.QueryResultsFormat.TSV
                else ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=results_format) or b""
            )
        else:
            sink.max_lines = max_results  # N-Triples: one line per triple
            answer.serialize(cast(IO[bytes], sink), format=ox.RdfFormat.N_TRIPLES)
            fmt = GRAPH_TYPES[media]
            if fmt == ox.RdfFormat.N_TRIPLES:
                body = sink.buffer.getvalue()
            else:
                quads = ox.parse(sink.buffer.getvalue(), ox.RdfFormat.N_TRIPLES)
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
                if fmt == ox.RdfFormat.TURTLE:
                    body = turtle_of(triples).encode("utf-8")  # type: ignore[arg-type]  # sorted, used prefixes
                elif fmt == ox.RdfFormat.JSON_LD and not triples:
                    body = b"[]\n"
                else:
                    prefixes = PREFIXES if fmt == ox.RdfFormat.RDF_XML else None
                    body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    except SyntaxError as exc:
        message = str(exc.msg if getattr(exc, "msg", None) else exc)
        return Answer.text(400, f"Malformed query: {syntax_message(checked.text, message)}")
    except MemoryError:
        return Answer.text(503, "The query needed more memory than this endpoint allows and was stopped.")
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        if sink.over:
            return _over_cap(sink.over, max_results, max_bytes, checked.form)
        return Answer.text(500, f"The query failed: {exc}")
    if len(body) > max_bytes:
        return _over_cap("bytes", max_results, max_bytes, checked.form)
    return Answer(200, content_type(media), body)


@dataclass(frozen=True)
class WorkerSettings:
    max_results: int = DEFAULT_MAX_RESULTS
    max_bytes: int = DEFAULT_MAX_BYTES
    memory_mb: int = DEFAULT_WORKER_MEMORY


def _cached_check():
    """check_query with a small cache of accepted short queries (the parser takes 20-80 ms a query)."""
    cache: dict[str, CheckedQuery] = {}

    def check(text: str) -> CheckedQuery:
        hit = cache.get(text)
        if hit is None:
            hit = check_query(text)
            if len(text) <= 20_000:
                if len(cache) >= 256:
                    cache.pop(next(iter(cache)))
                cache[text] = hit
        return hit

    return check


def _die_with_parent(parent: int) -> None:
    """Exit this worker once the server process is gone (a worker busy with a query would otherwise run on,
    orphaned, until the query ends). A watchdog thread, not PR_SET_PDEATHSIG: that fires when the *thread*
    that started the worker ends, and replacements are started from short-lived threads."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="argmap-worker-watchdog", daemon=True).start()


def _worker_main(conn, data: bytes, settings: WorkerSettings, parent: int = 0) -> None:
    if parent:
        _die_with_parent(parent)
    store = ox.Store()
    try:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        del data
        check = _cached_check()
        check("ASK {}")  # import the parser now, before the memory ceiling
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises ServerError
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    sandboxed = forbid_network()
    limit_memory(settings.memory_mb)
    # A query that exhausts memory or the stack aborts this process; the parent reports it. Its last words
    # (Rust's "memory allocation failed") would only clutter the server's terminal.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    conn.send(("ready", len(store), sandboxed))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        try:
            answer = evaluate(
                store,
                request,
                max_results=settings.max_results,
                max_bytes=settings.max_bytes,
                sandboxed=sandboxed,
                check=check,
            )
        except MemoryError:
            answer = Answer.text(503, "The query needed more memory than this endpoint allows and was stopped.")
        except Exception as exc:  # noqa: BLE001 - the parent turns it into a 500
            answer = Answer.text(500, f"The query failed: {type(exc).__name__}: {exc}")
        try:
            conn.send((answer.status, answer.content_type, answer.body, answer.headers))
        except (OSError, ValueError):
            return


# ---------------------------------------------------------------------------------------------------------
# The worker pool (parent side)
# ---------------------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, context, data: bytes, settings: WorkerSettings, quick: bool):
        self.quick = quick
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, data, settings, os.getpid()), name="argmap-sparql-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.sandboxed = False

    def wait_ready(self, timeout: float) -> int:
        if not self.conn.poll(timeout):
            self.kill()
            raise ServerError(f"a query worker did not load the graph within {timeout:g} s")
        try:
            message = self.conn.recv()
        except EOFError:
            raise ServerError(
                f"a query worker died while loading the graph (exit code {self.process.exitcode})"
            ) from None
        if message[0] != "ready":
            raise ServerError(f"a query worker could not load the graph: {message[1]}")
        self.sandboxed = bool(message[2])
        return int(message[1])

    def exchange(self, request: QueryRequest, timeout: float):
        """Send a query and wait up to `timeout` s: the worker's reply, or None when it took too long."""
        self.conn.send(request)
        if self.conn.poll(timeout):
            return self.conn.recv()
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryEngine:
    """Worker processes holding the graph: `workers` general ones, one quick lane and one loaded standby.

    `answer()` is a coroutine: it waits (up to `queue_wait` s) for a free worker on the event loop, then
    gives the worker `timeout` s (from that moment) before killing and replacing it.
    """

    def __init__(
        self,
        store: ox.Store,
        timeout: float = DEFAULT_TIMEOUT,
        max_results: int = DEFAULT_MAX_RESULTS,
        workers: int = DEFAULT_WORKERS,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        worker_memory: int = DEFAULT_WORKER_MEMORY,
        queue_wait: float | None = None,
        quick_limit: float = QUICK_LIMIT,
        load_timeout: float = 60.0,
    ):
        if timeout <= 0:
            raise ServerError("the query timeout must be a positive number of seconds")
        if max_results < 1:
            raise ServerError("--max-results must be at least 1")
        if max_bytes < 1:
            raise ServerError("--max-bytes must be at least 1")
        if workers < 1:
            raise ServerError("there must be at least one query worker")
        if worker_memory < 64:
            raise ServerError("--worker-memory must be at least 64 (MB)")
        self.timeout = timeout
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.worker_memory = worker_memory
        self.queue_wait = timeout if queue_wait is None else queue_wait
        self.workers = workers
        self._general_busy = 0  # general workers running a query now
        self.quick_limit = min(quick_limit, timeout)
        self.load_timeout = load_timeout
        self.triples = len(store)
        self._settings = WorkerSettings(max_results, max_bytes, worker_memory)
        self._data = (
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES)
            or b""
        )
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._idle: list[_Worker] = []
        self._quick_idle: list[_Worker] = []
        self._standby: queue.Queue[_Worker] = queue.Queue()  # a loaded spare, so a killed worker is replaced at once
        self._closed = False
        self._running: set[asyncio.Future] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._condition: asyncio.Condition | None = None
        self.timeouts = 0
        started = [self._spawn(quick=False) for _ in range(workers)] + [self._spawn(quick=True)]
        standby = self._spawn(quick=False)
        try:
            for worker in [*started, standby]:
                worker.wait_ready(load_timeout)
        except ServerError:
            self.close()
            raise
        self.sandboxed = all(worker.sandboxed for worker in started)
        for worker in started:
            (self._quick_idle if worker.quick else self._idle).append(worker)
        self._standby.put(standby)

    def _spawn(self, quick: bool) -> _Worker:
        worker = _Worker(self._context, self._data, self._settings, quick)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    # -- the idle lists live on the event loop ---------------------------------------------------------
    def _cond(self) -> asyncio.Condition:
        if self._condition is None:
            self._loop = asyncio.get_running_loop()
            self._condition = asyncio.Condition()
        return self._condition

    def _available(self) -> bool:
        # The quick lane is for when every general worker is running a query, not for when one is reloading:
        # sending queries there meanwhile would have them killed at the quick limit, and reloads cascade.
        return bool(self._idle) or (bool(self._quick_idle) and self._general_busy >= self.workers)

    async def _acquire(self) -> _Worker:
        condition = self._cond()
        async with condition:
            async with asyncio.timeout(self.queue_wait):  # not wait_for: on 3.11 it can swallow a cancellation
                await condition.wait_for(self._available)
            if self._idle:
                self._general_busy += 1
                return self._idle.pop()
            return self._quick_idle.pop()

    async def _release(self, worker: _Worker, returning: bool = True) -> None:
        """Put a worker (back) in the pool: `returning` from a query, or fresh from loading."""
        condition = self._cond()
        async with condition:
            if returning and not worker.quick:
                self._general_busy -= 1
            (self._quick_idle if worker.quick else self._idle).append(worker)
            condition.notify_all()  # every waiter re-checks: none can miss a worker through a cancelled wait

    async def _replace(self, worker: _Worker) -> None:
        """Kill a worker; the loaded standby takes its place at once, and a new standby loads in the background."""
        self._retire(worker)
        if not worker.quick:
            async with self._cond():
                self._general_busy -= 1
        if self._closed:
            return
        try:
            fresh = self._standby.get_nowait()
        except queue.Empty:
            fresh = None
        if fresh is not None:
            fresh.quick = worker.quick
            await self._release(fresh, returning=False)
            self._start_standby(None)
        else:
            self._start_standby(worker.quick)

    def _start_standby(self, quick: bool | None) -> None:
        """Load a worker in a background thread: into the pool as `quick` (True/False), or as the standby."""
        loop = self._loop

        def start() -> None:
            for attempt in range(3):
                if self._closed:
                    return
                fresh = self._spawn(bool(quick))
                try:
                    fresh.wait_ready(self.load_timeout)
                except ServerError as exc:
                    log.error("a replacement query worker failed (%s)", exc)
                    self._retire(fresh)
                    time.sleep(1 + attempt)
                    continue
                if quick is None:
                    self._standby.put(fresh)
                elif loop is not None and not self._closed:
                    asyncio.run_coroutine_threadsafe(self._release(fresh, returning=False), loop)
                return

        threading.Thread(target=start, name="argmap-worker-start", daemon=True).start()

    def _busy(self, message: str, retry_after: float) -> Answer:
        return Answer.text(503, message, **{"Retry-After": str(max(1, round(retry_after)))})

    async def answer(self, request: QueryRequest) -> Answer:
        """Wait for a free worker, then run the query in a task of its own that always returns or replaces
        the worker. Cancelled (the client left), a queued query costs nothing and a running one is stopped."""
        try:
            worker = await self._acquire()
        except TimeoutError:
            return self._busy(
                f"Every query worker stayed busy for {self.queue_wait:g} s; try again shortly.", self.queue_wait / 2
            )
        task = asyncio.ensure_future(self._run(worker, request))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():  # the client left: stop its query (the task then replaces the worker)
                with contextlib.suppress(OSError):
                    worker.process.kill()
            raise

    async def _run(self, worker: _Worker, request: QueryRequest) -> Answer:
        limit = self.quick_limit if worker.quick else self.timeout
        try:
            reply = await anyio.to_thread.run_sync(worker.exchange, request, limit)
        except (EOFError, OSError) as exc:
            await anyio.to_thread.run_sync(worker.process.join, 1)
            code = worker.process.exitcode
            await self._replace(worker)
            log.warning("a query worker stopped (%s, exit code %s)", type(exc).__name__, code)
            return Answer.text(
                503,
                f"The query stopped its worker (exit code {code}): it needed more memory than this endpoint's "
                f"{self.worker_memory} MB per query, or more stack than a query may use. The worker has been "
                "replaced; simplify the query.",
            )
        if reply is None:  # past the deadline: kill the worker; the standby takes its place
            self.timeouts += 1
            await self._replace(worker)
            if worker.quick:
                return self._busy(
                    f"Every query worker is busy with long queries, and this one ran past the {limit:g} s the "
                    "quick lane allows; try again shortly.",
                    2 * self.quick_limit,
                )
            log.warning("query stopped after %.3g s", limit)
            return Answer.text(
                503,
                f"The query ran longer than this endpoint's {self.timeout:g} s limit and was stopped. "
                "Narrow it (a LIMIT, fewer OPTIONALs, no cross products) "
                "or restart `argmap serve` with a larger --timeout.",
            )
        await self._release(worker)
        status, media, body, headers = reply
        return Answer(status, media, body, headers)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:  # ask every idle worker to stop, then kill whatever is still busy
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        deadline = time.monotonic() + 2
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            worker.kill()


# ---------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------

EXTRA_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query",
    ".bib": "application/x-bibtex",
    ".svg": "image/svg+xml",
    ".html": "text/html",
    ".css": "text/css",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".graphml": "application/xml",
    ".xml": "application/xml",
}
_CHARSET_TYPES = ("application/json", "application/ld+json", "application/n-triples", "application/sparql-query")

ENDPOINT_HELP = """This is the read-only SPARQL 1.1 endpoint of argmap serve ({triples} triples).

Send a query with GET {path}?query=... or POST (form field query=, or a body of type
application/sparql-query). Results: SPARQL JSON (default), XML, CSV or TSV; graphs: Turtle (default),
N-Triples, JSON-LD or RDF/XML, chosen by the Accept header or format=json|xml|csv|tsv|turtle|ntriples|jsonld.
The project prefixes (am:, claim:, view:, evidence: ...) are declared for you.
Limits: {timeout:g} s per query, {max_results} rows and {max_bytes} bytes per result, {memory} MB per query,
{body} bytes per request. Updates and SERVICE calls are refused; so are \\u escapes (write the character).

Example:
  curl -H 'Accept: text/csv' \\
    --data-urlencode 'query=SELECT ?view ?label WHERE {{ ?view a am:OpposingView ; rdfs:label ?label }}' {url}
"""


def _respond(answer: Answer, head_only: bool = False) -> Response:
    headers = {"Cache-Control": "no-store", **answer.headers}
    if answer.status in (200, 406):
        headers["Vary"] = "Accept"
    response = Response(b"" if head_only else answer.body, answer.status, headers, answer.content_type)
    if head_only:
        response.headers["content-length"] = str(len(answer.body))
    return response


class _BodyTooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and int(declared) > MAX_BODY:  # h11 has checked it is a non-negative integer
        raise _BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _graph_iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = tuple(value for key, value in params if key == name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise QueryError(f"{name} {iri!r} is not an absolute IRI") from None
    return iris


async def _unless_gone(request: Request, work) -> Answer | None:
    """Await `work`, but give up (cancel it) if the client disconnects first; None then."""
    task = asyncio.ensure_future(work)

    async def gone() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


class SparqlEndpoint:
    def __init__(self, engine: QueryEngine, url: str):
        self.engine, self.url = engine, url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        method = request.method
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
        if method == "HEAD":
            return _respond(Answer.text(405, "Use GET or POST to query this endpoint.", Allow="GET, POST, OPTIONS"))
        params = list(request.query_params.multi_items())
        if method == "POST":
            try:
                body = await asyncio.wait_for(_read_body(request), REQUEST_TIMEOUT)
            except _BodyTooLarge:
                return _respond(Answer.text(413, f"The request body is larger than {MAX_BODY} bytes."))
            except TimeoutError:
                return _respond(Answer.text(408, f"The request body did not arrive within {REQUEST_TIMEOUT:g} s."))
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return _respond(Answer.text(400, "The request body is not UTF-8."))
            media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media == "application/sparql-query":
                params.append(("query", text))
            elif media == "application/sparql-update":
                return _respond(Answer.text(403, "This endpoint is read-only: SPARQL updates are refused."))
            elif media == "application/x-www-form-urlencoded" or not media:
                params.extend(parse_qsl(text, keep_blank_values=True))
            else:
                return _respond(
                    Answer.text(
                        415,
                        f"Unsupported Content-Type {media!r}: send application/x-www-form-urlencoded (query=...) "
                        "or application/sparql-query.",
                    )
                )
        elif method != "GET":
            return _respond(Answer.text(405, "Use GET or POST.", Allow="GET, POST, OPTIONS"))
        answer = await _unless_gone(request, self.query(params, request.headers.get("accept")))
        return _respond(answer if answer is not None else Answer.text(499, "The client went away."))

    async def query(self, params: list[tuple[str, str]], accept: str | None) -> Answer:
        names = [key for key, _ in params]
        if "update" in names:
            return Answer.text(403, "This endpoint is read-only: SPARQL updates are refused.")
        queries = [value for key, value in params if key == "query"]
        if not queries:
            return self.help()
        if len(queries) > 1:
            return Answer.text(400, "Send exactly one query= parameter.")
        if not queries[0].strip():
            return Answer.text(400, "The query is empty.")
        formats = [value for key, value in params if key in ("format", "output")]
        try:
            request = QueryRequest(
                queries[0],
                accept,
                formats[0] if formats else None,
                _graph_iris(params, "default-graph-uri"),
                _graph_iris(params, "named-graph-uri"),
            )
        except QueryError as exc:
            return Answer.text(400, f"Bad request: {exc}.")
        return await self.engine.answer(request)

    def help(self) -> Answer:
        engine = self.engine
        return Answer.text(
            200,
            ENDPOINT_HELP.format(
                triples=engine.triples,
                path=ENDPOINT_PATH,
                timeout=engine.timeout,
                max_results=engine.max_results,
                max_bytes=engine.max_bytes,
                memory=engine.worker_memory,
                body=MAX_BODY,
                url=self.url,
            ),
        )


class SiteFiles(StaticFiles):
    """The built site: index.html for folders, 404 for anything else missing, our media types, no listings."""

    def file_response(self, full_path, stat_result, scope, status_code=200) -> Response:  # type: ignore[override]
        response = super().file_response(full_path, stat_result, scope, status_code)
        media = EXTRA_TYPES.get(os.path.splitext(str(full_path))[1].lower())
        if media:
            if media.startswith("text/") or media in _CHARSET_TYPES:
                media += "; charset=utf-8"
            response.headers["content-type"] = media
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 307:  # a folder without its slash: a permanent redirect, as before
            response.status_code = 301
        return response


class NoSite:
    def __init__(self, endpoint_url: str):
        self.endpoint_url = endpoint_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in ("", "/"):
            answer = Answer.text(
                200,
                "No site has been built, so only the SPARQL endpoint is served here: "
                f"{self.endpoint_url}\nRun `argmap build` (or `argmap serve --build`) for the site.",
            )
        else:
            answer = Answer.text(404, "Not found (no site has been built; run `argmap build`).")
        await _respond(answer, scope.get("method") == "HEAD")(scope, receive, send)


class _SecurityHeaders:
    """Every response says nosniff (a text answer is never sniffed into HTML or script)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, sending)


def create_app(engine: QueryEngine, site_dir: Path | None, endpoint_url: str) -> Starlette:
    """The ASGI app: /sparql, then the site's files (or a note that no site was built)."""
    endpoint = SparqlEndpoint(engine, endpoint_url)
    site: ASGIApp = SiteFiles(directory=site_dir, html=True) if site_dir else NoSite(endpoint_url)
    return Starlette(
        routes=[
            Route(ENDPOINT_PATH, endpoint, methods=["GET", "POST", "HEAD", "OPTIONS"]),
            Route(ENDPOINT_PATH + "/", endpoint, methods=["GET", "POST", "HEAD", "OPTIONS"]),
            Mount("/", app=site),
        ],
        middleware=[
            Middleware(_SecurityHeaders),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS", "HEAD"],
                allow_headers=["Accept", "Content-Type"],
                max_age=86400,
            ),
        ],
    )


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request head: a client that opens a connection (or
    keeps one alive) and sends a request head slowly or never is disconnected after REQUEST_TIMEOUT s."""

    _head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(REQUEST_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # headers and body go out in separate writes: with Nagle's algorithm on, a keep-alive client's
        # delayed ACK holds every answer back ~40 ms
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class ArgmapServer:
    """A bound socket, the app and its query engine; `serve_forever()` runs uvicorn until interrupted."""

    def __init__(self, sock: socket.socket, engine: QueryEngine, site_dir: Path | None):
        self.socket, self.engine, self.site_dir = sock, engine, site_dir
        self.app = create_app(engine, site_dir, self.endpoint_url)
        self._uvicorn: Any = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}/"

    @property
    def endpoint_url(self) -> str:
        return self.url.rstrip("/") + ENDPOINT_PATH

    def serve_forever(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            http=_Protocol,
            loop="asyncio",
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            backlog=BACKLOG,
            timeout_keep_alive=int(REQUEST_TIMEOUT),
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=3,
        )
        self._uvicorn = uvicorn.Server(config)
        self._uvicorn.run(sockets=[self.socket])

    def shutdown(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True

    def server_close(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.close()
        self.engine.close()


def make_server(
    store: ox.Store,
    site_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = DEFAULT_TIMEOUT,
    max_results: int = DEFAULT_MAX_RESULTS,
    workers: int = DEFAULT_WORKERS,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    worker_memory: int = DEFAULT_WORKER_MEMORY,
) -> ArgmapServer:
    """Bind the server (port 0 picks a free one) and start its query workers; call `serve_forever()` next."""
    if site_dir is not None:
        site_dir = Path(site_dir)
        if not site_dir.is_dir():
            raise ServerError(f"{site_dir}: no such directory to serve")
        site_dir = site_dir.resolve()
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.set_inheritable(False)
    except OSError as exc:
        with contextlib.suppress(NameError):
            sock.close()
        reason = exc.strerror or str(exc)
        raise ServerError(f"cannot listen on {host}:{port}: {reason}") from None
    try:
        engine = QueryEngine(
            store,
            timeout=timeout,
            max_results=max_results,
            workers=workers,
            max_bytes=max_bytes,
            worker_memory=worker_memory,
        )
    except BaseException:
        sock.close()
        raise
    return ArgmapServer(sock, engine, site_dir)
