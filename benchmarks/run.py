"""argmap's one benchmark: each step beside its floor or peer, measured in the same run, on synthetic debates.

For each size (nodes; data from benchmarks/generate.py, cached under benchmarks/data/SIZE):
  parse          bare pyoxigraph parse of the files into a Store (the floor for validate and query)
  validate       `argmap validate`                      beside  parse (floor), rdflib + pySHACL (peer)
  incremental    `argmap validate --changed-since HEAD` after 5 nodes' labels were edited  beside  validate
  shacl-peer     rdflib parse + pySHACL on the same files and shapes, the vocabulary as ontology
  query:NAME     each named query through argmap        beside  the same text on a bare pyoxigraph Store
  build          `argmap build` (validates, then builds; pages rendered in one process per CPU, at most 4)
  build-1        `argmap build --jobs 1` (every page rendered in the one process)  beside  build
  build-site     the build alone, without validation: `build_site` on data loaded by `load_paths`, in a fresh
                 process (a 5-line script) and in-process (the data loaded once); each run into an empty folder
  analyse        `argmap analyse --format json`          beside  loading the data and building the model (floor);
                 and in-process, argmap.reasoning.analyse on the built model under each semantics
                 (status, health, structure and the what-if of every piece of evidence)
  help           `argmap --help`                        beside  `python -c pass` (interpreter start)
  map, home      headless Chromium: navigation -> map drawn -> a click answered; page weight

Whole-process: a fresh process per run, wall and cpu time (user + sys, its child processes included) and peak RSS
from os.wait4 (the largest one process), and the peak PSS summed over the process and its children ("tree MB").
In-process: the same work called from this process (the CLI through click's CliRunner; queries through
argmap.query.run_query) after the data is loaded. Every figure is the median of --runs runs after --warmup.

Usage:
  python benchmarks/run.py                                  # 1k and 10k nodes, 5 runs, every step
  python benchmarks/run.py --sizes 1k --runs 1 --warmup 0   # a quick look
  python benchmarks/run.py --sizes 10k --steps query        # only the named queries
  python benchmarks/run.py --json benchmarks/results.json   # also write every figure as JSON
Prints a table (stdout) and progress (stderr); asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

CHROMIUM = os.environ.get("ARGMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STEPS = (
    "parse",
    "validate",
    "incremental",
    "shacl-peer",
    "query",
    "build",
    "build-1",
    "build-site",
    "analyse",
    "export",
    "help",
    "map",
    "home",
)
#: How many nodes the incremental step edits (issue 10: "5 changed nodes of 10k").
EDITED = 5
READY = "#map[data-ready='true']"  # the site's "map drawn" signal (tests/test_browser.py relies on it too)
PANEL = "#map-panel"  # what a click on a node opens
LOAD_BUTTON = "#map-load"  # the home page's "explore the map on this page" button

PARSE_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store()
for path in sys.argv[1:]:
    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
print(len(store))
"""
MODEL_SCRIPT = """
import sys
from argmap.load import load_paths
from argmap.model import build_model
print(len(build_model(load_paths(sys.argv[1:]).store).nodes))
"""
#: --as-of for the analyse step, so every run judges staleness against the same date
AS_OF = "2026-12-03"
BARE_QUERY_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store()
for path in sys.argv[2:]:
    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
rows = [tuple(str(v) for v in row) for row in store.query(open(sys.argv[1], encoding="utf-8").read())]
print(len(rows))
"""
BUILD_SITE_SCRIPT = """
import sys
from argmap.load import load_paths
from argmap.site.build import build_site
out, *paths = sys.argv[1:]
build_site(load_paths(paths), out)
"""
PEER_SCRIPT = """
import sys, rdflib, pyshacl
shapes, vocab, *paths = sys.argv[1:]
data = rdflib.Graph()
for path in paths:
    data.parse(path, format="turtle")
conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=vocab, inference="none",
                                  allow_warnings=True)
print(conforms)
"""


@dataclass
class Figure:
    """One measured thing: medians over `runs` runs (seconds, MB), whole-process and/or in-process."""

    size: str
    nodes: int
    triples: int
    step: str
    what: str  # what ran, in words
    beside: str = ""  # the step this one is the floor or peer of
    runs: int = 0
    wall: float | None = None  # whole-process wall time, median
    cpu: float | None = None  # whole-process user + sys time, median
    rss_mb: float | None = None  # whole-process peak resident set, max over runs
    tree_mb: float | None = None  # peak PSS summed over the process and its children (sampled), max over runs
    in_process: float | None = None  # in-process wall time, median
    in_process_cpu: float | None = None  # in-process cpu time (this process, all threads), median
    extra: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def argmap_command() -> list[str]:
    script = Path(sys.executable).with_name("argmap")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from argmap.cli import main; main()"]


#: Runs argv[2:] in a child and writes "wall cpu maxrss_kb tree_kb status" to the file argv[1]. The child is forked
#: from this small launcher, not from the benchmark: Linux carries a process's peak RSS across fork and exec, so a
#: child of the benchmark would report at least the benchmark's own size. (Floor: the launcher's ~10 MB.)
#: maxrss is the largest single process (the child or one of its own children, e.g. a build's page workers);
#: tree_kb is the peak, sampled every 0.1 s (0.5 s after the first 5 s), of the proportional set size (PSS: shared
#: pages split between the processes sharing them) summed over the child and its descendants: what they hold
#: together. 0 without /proc.
LAUNCHER = """
import os, sys, time
def tree(pid):
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except OSError:
        pass
    return found
def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
peak = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    peak = max(peak, sum(pss(p) for p in tree(pid)))
    time.sleep(0.1 if time.perf_counter() - started < 5 else 0.5)  # reading smaps of a 1 GB process costs
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{wall} {cpu} {usage.ru_maxrss} {peak} {os.waitstatus_to_exitcode(status)}")
"""


def run_process(argv: Sequence[str], cwd: Path = ROOT) -> tuple[float, float, float, float]:
    """(wall s, cpu s, peak RSS MB, peak PSS MB of the process tree) of one fresh process (in `cwd`); raises if
    it fails."""
    with tempfile.TemporaryDirectory(prefix="argmap-run-") as tmp:
        figures, errors = Path(tmp) / "usage", Path(tmp) / "stderr"
        with errors.open("wb") as stderr:
            subprocess.run(
                [sys.executable, "-c", LAUNCHER, str(figures), *argv],
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wall, cpu, rss_kb, tree_kb, status = figures.read_text().split()
        if int(status) != 0:
            error = errors.read_text(errors="replace").strip()[-500:]
            raise RuntimeError(f"{' '.join(argv[:3])} … exited {status}: {error}")
    return float(wall), float(cpu), int(rss_kb) / 1024, int(tree_kb) / 1024


def repeat(fn: Callable[[], object], runs: int, warmup: int, setup: Callable[[], object] | None = None) -> list[object]:
    """`fn` run `warmup` times untimed, then `runs` times; `setup` (untimed by the callers) before each."""

    def once() -> object:
        if setup is not None:
            setup()
        return fn()

    for _ in range(warmup):
        once()
    return [once() for _ in range(runs)]


def whole(
    figure: Figure,
    argv: Sequence[str],
    runs: int,
    warmup: int,
    cwd: Path = ROOT,
    setup: Callable[[], object] | None = None,
) -> None:
    samples = repeat(lambda: run_process(argv, cwd), runs, warmup, setup)
    walls, cpus, rss, tree = zip(*samples, strict=True)  # type: ignore[misc]
    figure.runs = runs
    figure.wall, figure.cpu, figure.rss_mb = statistics.median(walls), statistics.median(cpus), max(rss)
    figure.tree_mb = max(tree) or None
    figure.samples["wall"] = [round(w, 4) for w in walls]


def inproc(
    figure: Figure, fn: Callable[[], object], runs: int, warmup: int, setup: Callable[[], object] | None = None
) -> None:
    def timed() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - started, time.process_time() - cpu

    samples = repeat(timed, runs, warmup, setup)
    walls, cpus = zip(*samples, strict=True)  # type: ignore[misc]
    figure.runs = figure.runs or runs
    figure.in_process, figure.in_process_cpu = statistics.median(walls), statistics.median(cpus)
    figure.samples["in_process"] = [round(s, 5) for s in walls]
    figure.samples["in_process_cpu"] = [round(s, 5) for s in cpus]


def cli_in_process(args: list[str]) -> Callable[[], object]:
    from click.testing import CliRunner

    from argmap.cli import main

    def call() -> object:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        if result.exit_code != 0:
            raise RuntimeError(f"argmap {args[0]} exited {result.exit_code}: {result.output[-500:]}")
        return result

    return call


# ------------------------------------------------------------------------------------------- steps
def bench_size(label: str, args: argparse.Namespace, work: Path, figures: list[Figure]) -> None:
    """Measure one size, appending each figure to `figures` as soon as it is measured."""
    nodes = generate.parse_size(label)
    data = args.data_dir / str(nodes)
    files = [data / "claims.ttl", data / "evidence.ttl"]
    if not all(f.exists() for f in files) or args.regenerate:
        log(f"[{label}] generating {nodes} nodes into {data}")
        generate.write(nodes, args.seed, data)
    paths = [str(f) for f in files]
    triples = generate.profile(generate.store_of(files)).triples
    runs, warmup, steps = args.runs, args.warmup, set(args.steps)

    def new(step: str, what: str, beside: str = "") -> Figure:
        figure = Figure(label, nodes, triples, step, what, beside)
        figures.append(figure)
        log(f"[{label}] {step}: {what}")
        return figure

    py = sys.executable
    if "parse" in steps:
        f = new("parse", "bare pyoxigraph parse into a Store (floor)", "validate")
        whole(f, [py, "-c", PARSE_SCRIPT, *paths], runs, warmup)
        inproc(f, lambda: generate.store_of(files), runs, warmup)
    if "validate" in steps:
        f = new("validate", "argmap validate")
        whole(f, [*argmap_command(), "validate", *paths], runs, warmup)
        inproc(f, cli_in_process(["validate", *paths]), runs, warmup)
    if "incremental" in steps:
        repo = work / f"repo-{nodes}"
        edited = edited_repository(files, repo, args.seed)
        f = new("incremental", f"argmap validate --changed-since ({EDITED} nodes edited)", "validate")
        whole(f, [*argmap_command(), "validate", *map(str, edited), "--changed-since", "HEAD"], runs, warmup, repo)
        inproc(f, lambda: in_repository(repo, ["validate", *map(str, edited), "--changed-since", "HEAD"]), runs, warmup)
        f.extra["edited"] = EDITED
    if "shacl-peer" in steps:
        from argmap.config import SHAPES_PATH, VOCAB_PATH

        f = new("shacl-peer", "rdflib + pySHACL on the same files (peer)", "validate")
        whole(f, [py, "-c", PEER_SCRIPT, str(SHAPES_PATH), str(VOCAB_PATH), *paths], runs, warmup)
    if "query" in steps:
        figures += bench_queries(label, nodes, triples, paths, args, work)
    site = work / f"site-{nodes}"
    empty = functools.partial(shutil.rmtree, site, ignore_errors=True)  # every build starts from nothing
    if "build" in steps:
        f = new("build", "argmap build")
        whole(f, [*argmap_command(), "build", *paths, "--out", str(site)], runs, warmup, setup=empty)
        note_site(f, site)
    if "build-1" in steps:
        f = new("build-1", "argmap build --jobs 1 (pages in one process)", "build")
        whole(f, [*argmap_command(), "build", *paths, "--out", str(site), "--jobs", "1"], runs, warmup, setup=empty)
        note_site(f, site)
    if "build-site" in steps:
        from argmap.load import load_paths
        from argmap.site.build import build_site

        f = new("build-site", "build without validation (build_site)", "build")
        whole(f, [py, "-c", BUILD_SITE_SCRIPT, str(site), *paths], runs, warmup, setup=empty)
        loaded = load_paths(paths)
        inproc(f, lambda: build_site(loaded, site), runs, warmup, empty)
        del loaded
        note_site(f, site)
    if "analyse" in steps:
        bench_analyse(new, paths, runs, warmup)
    if "export" in steps:
        from argmap.interchange import FORMATS, make_export
        from argmap.load import load_paths
        from argmap.model import build_model

        loaded = load_paths(paths)  # validation is the validate step's figure; this times the exporters alone
        f = new("export-model", "build the model the exporters share (in-process)")
        inproc(f, lambda: build_model(loaded.store), runs, warmup)
        model = build_model(loaded.store)
        for fmt in FORMATS:
            f = new(f"export-{fmt}", f"make the {fmt} export from the model (in-process)")
            inproc(f, lambda fmt=fmt: make_export(fmt, loaded, model), runs, warmup)
    if "help" in steps:
        f = new("help", "argmap --help")
        whole(f, [*argmap_command(), "--help"], runs, warmup)
        f = new("python", "python -c pass (interpreter start, floor)", "help")
        whole(f, [py, "-c", "pass"], runs, warmup)
    if steps & {"map", "home"}:
        if not (site / "index.html").exists():
            log(f"[{label}] building the site for the browser")
            run_process([*argmap_command(), "build", *paths, "--out", str(site)])
        figures += bench_browser(label, nodes, triples, site, args)


def note_site(figure: Figure, site: Path) -> None:
    """The files and bytes a build left in `site` (its last run), beside the figure."""
    files = [p for p in site.rglob("*") if p.is_file()]
    figure.extra["site_bytes"] = sum(p.stat().st_size for p in files)
    figure.extra["site_files"] = len(files)


def bench_analyse(new: Callable[..., Figure], paths: list[str], runs: int, warmup: int) -> None:
    """`argmap analyse` whole-process and through the CLI in-process, beside loading the data and building the
    model (its floor); then the library alone on the built model, once per semantics."""
    from argmap.load import load_paths
    from argmap.model import build_model
    from argmap.reasoning import SEMANTICS, analyse

    data = [a for p in paths for a in ("-d", p)]
    f = new("analyse", "argmap analyse --format json")
    whole(f, [*argmap_command(), "analyse", *data, "--format", "json", "--as-of", AS_OF], runs, warmup)
    inproc(f, cli_in_process(["analyse", *data, "--format", "json", "--as-of", AS_OF]), runs, warmup)
    f = new("analyse-floor", "load the data and build the model (floor)", "analyse")
    whole(f, [sys.executable, "-c", MODEL_SCRIPT, *paths], runs, warmup)
    inproc(f, lambda: build_model(load_paths(paths).store), runs, warmup)
    model = build_model(load_paths(paths).store)
    for semantics in SEMANTICS:
        f = new(f"analyse:{semantics}", f"reasoning.analyse, {semantics}, model built")
        inproc(f, lambda semantics=semantics: analyse(model, semantics=semantics, as_of=AS_OF), runs, warmup)
        result = analyse(model, semantics=semantics, as_of=AS_OF)
        f.extra["items"] = len(result.status)
        f.extra["labellings"] = result.labellings
        f.extra["evidence"] = sum(1 for n in model.nodes.values() if n.kind == "evidence")


def edited_repository(files: list[Path], repo: Path, seed: int) -> list[Path]:
    """A git repository holding the files, committed, then EDITED nodes' labels changed in the work tree (the
    first letter's case swapped: still valid, so the run does all its work and finds nothing)."""
    import random
    import re

    repo.mkdir(parents=True, exist_ok=True)
    git = ["git", "-c", "user.email=bench@example.org", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    copies = []
    for source in files:
        target = repo / source.name
        target.write_bytes(source.read_bytes())
        copies.append(target)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=repo, check=True)
    rng = random.Random(seed)
    labels = [(path, m.start(1)) for path in copies for m in re.finditer(r'rdfs:label "(\w)', path.read_text("utf-8"))]
    for path, at in rng.sample(labels, EDITED):
        text = path.read_text(encoding="utf-8")
        path.write_text(text[:at] + text[at].swapcase() + text[at + 1 :], encoding="utf-8")
    return copies


def in_repository(repo: Path, args: list[str]) -> object:
    previous = Path.cwd()
    os.chdir(repo)
    try:
        return cli_in_process(args)()
    finally:
        os.chdir(previous)


def bench_queries(
    label: str, nodes: int, triples: int, paths: list[str], args: argparse.Namespace, work: Path
) -> list[Figure]:
    from argmap.load import load_paths
    from argmap.query import named_queries, run_query

    store = load_paths(paths).store
    bare = generate.store_of([Path(p) for p in paths])
    figures = []
    for named in named_queries():
        if args.queries and named.name not in args.queries:
            continue
        log(f"[{label}] query {named.name}")
        text = named.text
        f = Figure(label, nodes, triples, f"query:{named.name}", f"argmap query {named.name}")
        floor = Figure(label, nodes, triples, f"bare:{named.name}", "same text, bare pyoxigraph Store", f.step)
        inproc(f, lambda text=text: run_query(store, text), args.runs, args.warmup)
        inproc(floor, lambda text=text: [tuple(str(v) for v in r) for r in bare.query(text)], args.runs, args.warmup)
        f.extra["rows"] = len(run_query(store, text).rows)
        if not args.no_query_processes:
            query_file = work / f"{named.name}.rq"
            query_file.write_text(text, encoding="utf-8")
            data_args = [a for p in paths for a in ("-d", p)]
            whole(f, [*argmap_command(), "query", named.name, *data_args, "--format", "json"], args.runs, args.warmup)
            whole(floor, [sys.executable, "-c", BARE_QUERY_SCRIPT, str(query_file), *paths], args.runs, args.warmup)
        figures += [f, floor]
    return figures


def bench_browser(label: str, nodes: int, triples: int, site: Path, args: argparse.Namespace) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a free port
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    figures = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for step, path in (("map", "map/"), ("home", "")):
                    if step not in args.steps:
                        continue
                    log(f"[{label}] chromium {step} page")
                    figure = Figure(label, nodes, triples, step, f"Chromium: /{path} navigation → map drawn → click")
                    samples = repeat(
                        lambda path=path, step=step: browse(browser, url + path, request_map=step == "home"),
                        args.runs,
                        args.warmup,
                    )
                    figure.runs = args.runs
                    for key in samples[0]:
                        values = [s[key] for s in samples if s[key] is not None]
                        figure.extra[key] = statistics.median(values) if values else None
                    figure.in_process = figure.extra["drawn"]
                    figure.samples["drawn"] = [s["drawn"] for s in samples]
                    figures.append(figure)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return figures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


WEIGHT = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce((n, e) => n + (e.encodedBodySize || 0), 0)"""


def browse(browser, url: str, request_map: bool = False) -> dict[str, float | None]:
    """One visit in a fresh context: seconds to first paint, map drawn and a click answered; bytes fetched.
    With `request_map` (the home page), the map is drawn after a click on the page's load button, made as soon
    as the page has loaded."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        requested: float | None = None
        before: float | None = None
        if request_map:
            # the home page draws a static preview and loads the interactive map only on request: ask at once
            page.locator(LOAD_BUTTON + ":not(.js-pending)").wait_for(state="visible", timeout=300_000)
            page.wait_for_load_state("load")
            before = page.evaluate(WEIGHT)
            asked = time.perf_counter()
            page.locator(LOAD_BUTTON).click()
            page.wait_for_selector(READY, state="attached", timeout=300_000)
            requested = time.perf_counter() - asked
        page.wait_for_selector(READY, state="attached", timeout=300_000)
        drawn = time.perf_counter() - started
        paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
        node = page.evaluate("window.argmap.network.body.nodeIndices[0]")
        page.locator("#map").scroll_into_view_if_needed()
        page.evaluate(
            "id => window.argmap.network.moveTo({position: window.argmap.network.getPositions([id])[id],"
            " scale: 1.0, animation: false})",
            node,
        )
        point = page.evaluate(
            """id => { const net = window.argmap.network;
                const dom = net.canvasToDOM(net.getPositions([id])[id]);
                const box = document.getElementById('map').getBoundingClientRect();
                return {x: box.left + dom.x, y: box.top + dom.y}; }""",
            node,
        )
        clicked = time.perf_counter()
        page.mouse.click(point["x"], point["y"])
        try:
            page.locator(PANEL).wait_for(state="visible", timeout=60_000)
            click: float | None = time.perf_counter() - clicked
        except PlaywrightTimeout:
            click = None  # shown as "—": the click was not answered within a minute
        weight = page.evaluate(WEIGHT)
        return {
            "drawn": drawn,
            "on_request": requested,
            "bytes_before_request": before,
            "first_paint": paint / 1000 if paint is not None else None,
            "click": click,
            "page_bytes": weight,
        }
    finally:
        context.close()


# ------------------------------------------------------------------------------------------- report
def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(figures: list[Figure]) -> str:
    by_step = {(f.size, f.step): f for f in figures}
    head = f"{'size':>5} {'step':<44} {'runs':>4} {'wall':>9} {'cpu':>9} {'RSS MB':>7} {'tree MB':>7} "
    head += f"{'in-process':>10} {'in-p. cpu':>9}  beside"
    lines = [head, "-" * len(head)]
    for f in figures:
        note = ""
        if f.beside and (f.size, f.beside) in by_step:
            other = by_step[(f.size, f.beside)]
            parts = []
            if other.cpu and f.cpu:
                parts.append(f"{other.cpu / f.cpu:.1f}× whole-process cpu")
            if other.in_process_cpu and f.in_process_cpu:
                parts.append(f"{other.in_process_cpu / f.in_process_cpu:.1f}× in-process cpu")
            note = f"{other.step} takes " + ", ".join(parts) if parts else ""
        if f.step in ("map", "home"):
            note = (
                f"first paint {seconds(f.extra.get('first_paint'))}, click {seconds(f.extra.get('click'))}, "
                f"{(f.extra.get('page_bytes') or 0) / 1e6:.1f} MB fetched"
            )
            if f.extra.get("on_request") is not None:
                note += (
                    f" (page before the request {(f.extra.get('bytes_before_request') or 0) / 1e6:.2f} MB;"
                    f" map drawn {seconds(f.extra['on_request'])} after the button)"
                )
        if f.step in ("build", "build-1", "build-site"):
            written = f"{f.extra.get('site_files')} files, {f.extra.get('site_bytes', 0) / 1e6:.1f} MB written"
            note = f"{note}; {written}" if note else written
        if f.step.startswith("query:"):
            note = f"{f.extra.get('rows')} rows"
        if f.step.startswith("analyse:"):
            extra = f.extra
            note = (
                f"{extra.get('items')} items, {extra.get('evidence')} what-ifs, {extra.get('labellings')} labelling(s)"
            )
        rss = f"{f.rss_mb:.0f}" if f.rss_mb else "—"
        tree = f"{f.tree_mb:.0f}" if f.tree_mb else "—"
        lines.append(
            f"{f.size:>5} {f.what[:44]:<44} {f.runs:>4} {seconds(f.wall):>9} {seconds(f.cpu):>9} {rss:>7} {tree:>7} "
            f"{seconds(f.in_process):>10} {seconds(f.in_process_cpu):>9}  {note}"
        )
    return "\n".join(lines)


def machine() -> dict[str, str]:
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "free": free,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def save(figures: list[Figure], args: argparse.Namespace, argv: Sequence[str] | None) -> None:
    if not args.json:
        return
    body = {
        "machine": machine(),
        "command": " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "runs": args.runs,
        "warmup": args.warmup,
        "figures": [asdict(f) for f in figures],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.json}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated node counts (default 1k,10k)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--queries", default="", help="comma-separated named queries (default all)")
    parser.add_argument("--no-query-processes", action="store_true", help="queries in-process only")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "data", help="generated data cache")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again even if cached")
    parser.add_argument("--json", type=Path, help="write every figure and the machine to this file")
    parser.add_argument(
        "--report", type=Path, nargs="+", metavar="JSON", help="print the table of saved runs; measure nothing"
    )
    args = parser.parse_args(argv)
    if args.report:
        for path in args.report:
            body = json.loads(path.read_text(encoding="utf-8"))
            print(f"{path.name}: {body['command']}  ({body['machine']['date']})")
            print(table([Figure(**f) for f in body["figures"]]) + "\n")
        return 0
    args.steps = [s for s in args.steps.split(",") if s]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s): {', '.join(sorted(unknown))}")
    args.queries = [q for q in args.queries.split(",") if q]
    if (set(args.steps) & {"map", "home"}) and not Path(CHROMIUM).exists():
        parser.error(f"no Chromium at {CHROMIUM} (set ARGMAP_CHROMIUM) or leave out the map and home steps")

    figures: list[Figure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="argmap-bench-") as tmp:
            for size in args.sizes.split(","):
                bench_size(size.strip(), args, Path(tmp), figures)
                save(figures, args, argv)
    finally:  # an interrupted run still shows (and saves) what it measured
        print(table(figures))
        save(figures, args, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
