"""Making contributed text safe where the site shows it, beyond Jinja's HTML autoescaping: JSON inside a
`<script>` element or a .js file, and external addresses that may become links."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from markupsafe import Markup


def script_json(value: object) -> Markup:
    """JSON that is safe inside a <script> element and in a .js file: no `<`, `>`, `&` or line separators,
    so neither `</script>` nor `<!--` can end or confuse the element. Keys sorted, no spaces: deterministic."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)  # every character that could end the script element is escaped above


_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """The address if it is an http(s) URL that can be a link; None for javascript:, data:, relative …"""
    if not url:
        return None
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


def doi_url(doi: str | None) -> str | None:
    if not doi:
        return None
    return safe_url("https://doi.org/" + quote(doi.strip(), safe="/:;()._-"))


def arxiv_url(arxiv_id: str | None) -> str | None:
    if not arxiv_id or not re.match(r"^[0-9]{4}\.[0-9]{4,5}(v[0-9]+)?$", arxiv_id.strip()):
        return None
    return "https://arxiv.org/abs/" + arxiv_id.strip()
