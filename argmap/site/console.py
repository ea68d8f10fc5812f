"""The in-browser SPARQL console: the site's `/query/` page.

The page runs every query in the reader's browser on the site's own data, with the `oxigraph` npm package
(WebAssembly, the same engine as pyoxigraph) and the SPARQL editor of the YASGUI suite (`@zazuko/yasqe`), both
pinned in the repository's package-lock.json and installed with `npm ci`. Nothing is fetched from another
origin: the page loads its scripts, the WebAssembly module and the data file from the site itself.

When the npm packages are absent, `write_console` raises `ConsoleUnavailable` saying why, and the site build
carries on without the console.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..config import BASE_IRI, PREFIXES
from ..errors import ArgmapError
from ..query import declared_prefixes, used_prefixes

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


def _check_packages(node_modules: Path | None) -> dict[str, str]:
    if node_modules is None:
        raise ConsoleUnavailable(
            "the npm packages oxigraph and @zazuko/yasqe are not installed "
            "(run `npm ci` at the repository root, or set ARGMAP_NODE_MODULES)"
        )
    versions = {package: _package_version(node_modules, package) for package in PACKAGES}
    for item in VENDORED:
        if not (node_modules / item.package / item.source).is_file():
            raise ConsoleUnavailable(
                f"{node_modules / item.package / item.source} is missing "
                f"(the installed {item.package} {versions[item.package]} differs from package-lock.json; run `npm ci`)"
            )
    return versions


def query_with_prefixes(text: str) -> str:
    """The named query as a scholar can paste it into any SPARQL tool: a PREFIX line for every project prefix
    it uses without declaring it, one per line, above the query."""
    declared, used = declared_prefixes(text), used_prefixes(text)
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p in used and p not in declared]
    if not missing:
        return text
    return "\n".join(missing) + "\n" + text


def _json_for_script(value) -> str:
    """JSON safe to embed in a <script> element: no `</`, `<!--` or line separators can end or confuse it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
    return Markup(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )  # nosec: every character that could end the script element is escaped above


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(CONSOLE_DIR)),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = _json_for_script
    return env


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    if target.suffix in (".js", ".css"):
        data = _SOURCE_MAP.sub(b"\n", data)
    target.write_bytes(data)


def write_console(
    out_dir: Path,
    queries: Sequence,
    *,
    data_url: str = DEFAULT_DATA_URL,
    data_format: str | None = None,
    node_modules: Path | None = None,
    site_css: str | None = "static/argmap.css",
) -> list[str]:
    """Write the console under `out_dir/query/`; return the paths written, relative to `out_dir`, sorted.

    `queries` are `argmap.query.NamedQuery` objects (name, question, text). `data_url` is where the page
    fetches the whole graph (relative to /query/; N-Triples, Turtle or N-Quads by its extension unless
    `data_format` names a media type); `site_css` is the site's stylesheet (relative to the site root) the page
    shares, None for a standalone page. Raises ConsoleUnavailable when the npm packages are not installed.
    """
    out_dir = Path(out_dir)
    node_modules = node_modules or find_node_modules()
    versions = _check_packages(node_modules)
    if data_format is None:
        data_format = _format_of(data_url)

    named = [
        {"name": q.name, "question": q.question, "text": query_with_prefixes(q.text)}
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
    env = _environment()
    page = env.get_template("index.html").render(
        queries=named, config=config, versions=versions, data_url=data_url, nav=_nav(), site_css=site_css,
        first=next((q for q in named if q["name"] == config["firstQuery"]), None),
    )

    query_dir = out_dir / "query"
    query_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    (query_dir / "index.html").write_text(page, encoding="utf-8", newline="\n")
    written.append("query/index.html")
    for name in ("console.js", "console.css"):
        _copy(CONSOLE_DIR / name, query_dir / name)
        written.append(f"query/{name}")
    for item in VENDORED:
        _copy(node_modules / item.package / item.source, query_dir / item.target)
        written.append(f"query/{item.target}")
    notice = ["Third-party code in this folder (copied by `argmap build` from the npm packages pinned in",
              "the argmap repository's package-lock.json):", ""]
    for package in PACKAGES:
        meta = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
        notice.append(f"{package} {meta.get('version', '?')} - licence: {meta.get('license', 'see the package')}"
                      f" - {meta.get('homepage') or meta.get('repository', {}).get('url', '')}".rstrip(" -"))
    (query_dir / "vendor").mkdir(parents=True, exist_ok=True)
    (query_dir / "vendor" / "NOTICE.txt").write_text("\n".join(notice) + "\n", encoding="utf-8", newline="\n")
    written.append("query/vendor/NOTICE.txt")
    for package in PACKAGES:  # ship each package's licence beside its code
        for licence in sorted((node_modules / package).glob("LICEN[CS]E*")):
            target = f"vendor/{package.split('/')[-1]}/{licence.name}"
            _copy(licence, query_dir / target)
            written.append(f"query/{target}")
    return sorted(written)


def _nav() -> list[tuple[str, str, str]]:
    """The site's navigation (argmap.site.build.NAV) plus the console's own entry."""
    try:
        from .build import NAV
    except ImportError:  # the console written on its own
        NAV = (("index.html", "", "Home"),)
    return [*NAV, ("query/index.html", "query/", "Query")]


def _format_of(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for suffix, media in ((".nt", "application/n-triples"), (".nq", "application/n-quads"),
                          (".ttl", "text/turtle"), (".trig", "application/trig")):
        if path.endswith(suffix):
            return media
    raise ValueError(f"cannot tell the RDF format of {url!r}; pass data_format")
