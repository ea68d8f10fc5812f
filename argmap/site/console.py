"""The in-browser SPARQL console: the site's `/query/` page.

The page runs every query in the reader's browser on the site's own data, with the `oxigraph` npm package
(WebAssembly, the same engine as pyoxigraph) and the SPARQL editor of the YASGUI suite (`@zazuko/yasqe`), both
pinned in the repository's package-lock.json and installed with `npm ci`. Nothing is fetched from another
origin: the page loads its scripts, the WebAssembly module and the data file from the site itself.

The npm packages are not Python package data: a source checkout has them after `npm ci`, and an installed
argmap finds them through ARGMAP_NODE_MODULES (or a node_modules folder above the current directory). When
they are absent, `make_console` raises `ConsoleUnavailable` saying why, and the site build carries on without
the console and says so in its summary.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..config import BASE_IRI, PREFIXES
from ..errors import ArgmapError
from ..query import NamedQuery, with_prefixes
from .escape import script_json
from .output import write_files
from .words import CONSOLE_NAV, NAV

#: The console's own page template, script and stylesheet.
CONSOLE_DIR = Path(__file__).parent / "console"

#: Where the page fetches the whole graph from, relative to `/query/` (the site's data download).
DEFAULT_DATA_URL = "../data/argmap.nt"

#: The named query the page opens with (the debate at a glance), when it ships.
FIRST_QUERY = "views-and-responses"

#: Environment variable naming a node_modules directory to take the npm packages from.
NODE_MODULES_ENV = "ARGMAP_NODE_MODULES"


class ConsoleUnavailable(ArgmapError):
    """The query console cannot be built here (its npm packages are not installed); the reason is the message."""


@dataclass(frozen=True)
class Console:
    """The console's files (path below the site root -> bytes) and where its third-party code came from."""

    files: dict[str, bytes]
    origin: str


#: What the site build calls to make the console from the named queries (tests pass their own).
ConsoleMaker = Callable[[Sequence[NamedQuery]], Console]


@dataclass(frozen=True)
class Vendored:
    """One file copied from an npm package into the site."""

    package: str
    source: str  # path inside the package
    target: str  # path below query/


#: Every third-party file the page loads. Source maps are left out (the page never asks for them).
VENDORED = (
    Vendored("oxigraph", "web.js", "vendor/oxigraph/web.js"),
    Vendored("oxigraph", "web_bg.wasm", "vendor/oxigraph/web_bg.wasm"),
    Vendored("@zazuko/yasqe", "build/yasqe.min.js", "vendor/yasqe/yasqe.min.js"),
    Vendored("@zazuko/yasqe", "build/yasqe.min.css", "vendor/yasqe/yasqe.min.css"),
)
PACKAGES = ("oxigraph", "@zazuko/yasqe")

_SOURCE_MAP = re.compile(rb"\n//# sourceMappingURL=[^\n]*\s*$|/\*# sourceMappingURL=[^*]*\*/\s*$")


def find_node_modules(start: Iterable[Path] | None = None) -> Path | None:
    """The node_modules directory holding the console's packages: $ARGMAP_NODE_MODULES, else the nearest one
    above the current directory or above this package (the repository root for a source checkout)."""
    explicit = os.environ.get(NODE_MODULES_ENV)
    if explicit:
        return Path(explicit)
    roots = list(start) if start is not None else [Path.cwd(), Path(__file__).resolve().parent]
    for root in roots:
        for folder in (root, *root.parents):
            candidate = folder / "node_modules"
            if (candidate / "oxigraph" / "package.json").is_file():
                return candidate
    return None


def _package_version(node_modules: Path, package: str) -> str:
    try:
        meta = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ConsoleUnavailable(
            f"the npm package {package} is not installed in {node_modules} (run `npm ci` at the repository root)"
        ) from None
    return str(meta.get("version", "?"))


def _check_packages(node_modules: Path | None) -> tuple[Path, dict[str, str]]:
    """The node_modules folder and the version of each package, or ConsoleUnavailable saying what is missing."""
    if node_modules is None:
        raise ConsoleUnavailable(
            "its npm packages oxigraph and @zazuko/yasqe were not found (they are not part of the Python "
            "package): set ARGMAP_NODE_MODULES to a node_modules folder holding them, or run `npm ci` at the "
            "root of a source checkout"
        )
    versions = {package: _package_version(node_modules, package) for package in PACKAGES}
    for item in VENDORED:
        if not (node_modules / item.package / item.source).is_file():
            raise ConsoleUnavailable(
                f"{node_modules / item.package / item.source} is missing "
                f"(the installed {item.package} {versions[item.package]} differs from package-lock.json; run `npm ci`)"
            )
    return node_modules, versions


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(CONSOLE_DIR)),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = script_json
    return env


def _read(source: Path) -> bytes:
    """A file's bytes; scripts and styles lose their source-map comment (the page never asks for the maps)."""
    data = source.read_bytes()
    if source.suffix in (".js", ".css"):
        data = _SOURCE_MAP.sub(b"\n", data)
    return data


def make_console(
    queries: Sequence[NamedQuery],
    *,
    data_url: str = DEFAULT_DATA_URL,
    data_format: str | None = None,
    node_modules: Path | None = None,
    site_css: str | None = "static/argmap.css",
) -> Console:
    """The console's files, below `query/`, in memory: the page, its script and style, the vendored npm code
    with its licences and a NOTICE. Raises ConsoleUnavailable when the npm packages are not installed.

    `queries` are `argmap.query.NamedQuery` objects (name, question, text). `data_url` is where the page
    fetches the whole graph (relative to /query/; N-Triples, Turtle or N-Quads by its extension unless
    `data_format` names a media type); `site_css` is the site's stylesheet (relative to the site root) the page
    shares, None for a standalone page.
    """
    found, versions = _check_packages(node_modules or find_node_modules())
    if data_format is None:
        data_format = _format_of(data_url)

    named = [
        {"name": q.name, "question": q.question, "text": with_prefixes(q.text, only_used=True)}
        for q in sorted(queries, key=lambda q: q.name)
    ]
    names = [q["name"] for q in named]
    config = {
        "base": BASE_IRI,
        "firstQuery": FIRST_QUERY if FIRST_QUERY in names else (names[0] if names else None),
        "dataFormat": data_format,
        "dataUrl": data_url,
        "prefixes": PREFIXES,
        "queries": named,
    }
    page = (
        _environment()
        .get_template("index.html")
        .render(
            queries=named,
            config=config,
            versions=versions,
            data_url=data_url,
            nav=[*NAV, CONSOLE_NAV],
            site_css=site_css,
            first=next((q for q in named if q["name"] == config["firstQuery"]), None),
        )
    )

    files: dict[str, bytes] = {"query/index.html": page.encode("utf-8")}
    for name in ("console.js", "console.css"):
        files[f"query/{name}"] = _read(CONSOLE_DIR / name)
    for item in VENDORED:
        files[f"query/{item.target}"] = _read(found / item.package / item.source)
    notice = [
        "Third-party code in this folder (copied by `argmap build` from the npm packages pinned in",
        "the argmap repository's package-lock.json):",
        "",
    ]
    for package in PACKAGES:
        meta = json.loads((found / package / "package.json").read_text(encoding="utf-8"))
        notice.append(
            f"{package} {meta.get('version', '?')} - licence: {meta.get('license', 'see the package')}"
            f" - {meta.get('homepage') or meta.get('repository', {}).get('url', '')}".rstrip(" -")
        )
    files["query/vendor/NOTICE.txt"] = ("\n".join(notice) + "\n").encode("utf-8")
    for package in PACKAGES:  # ship each package's licence beside its code
        for licence in sorted((found / package).glob("LICEN[CS]E*")):
            files[f"query/vendor/{package.split('/')[-1]}/{licence.name}"] = _read(licence)
    origin = " and ".join(f"{package} {versions[package]}" for package in PACKAGES) + f" from {found}"
    return Console(dict(sorted(files.items())), origin)


def write_console(out_dir: Path, queries: Sequence[NamedQuery], **options) -> list[str]:
    """Make the console (see `make_console`) and write it under `out_dir/query/` on its own, without the rest
    of the site; return the paths written, relative to `out_dir`, sorted."""
    console = make_console(queries, **options)
    write_files(Path(out_dir), console.files)
    return sorted(console.files)


def _format_of(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for suffix, media in (
        (".nt", "application/n-triples"),
        (".nq", "application/n-quads"),
        (".ttl", "text/turtle"),
        (".trig", "application/trig"),
    ):
        if path.endswith(suffix):
            return media
    raise ValueError(f"cannot tell the RDF format of {url!r}; pass data_format")
