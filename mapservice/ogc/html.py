"""Simple HTML views of the OGC documents (``f=html`` or a browser's Accept header).

The same dicts as the JSON answers are rendered, so both always agree. Autoescaping is on:
statements and titles come from people and must never become markup.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("mapservice.ogc", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=False,
    )


def render(name: str, **context: Any) -> bytes:
    """Render ``templates/<name>.html``; ``title``, ``root`` and ``doc`` are expected."""
    return _env().get_template(f"{name}.html").render(**context).encode()


def render_json(title: str, root: str, doc: Any) -> bytes:
    """Fallback view for documents without their own page: pretty-printed JSON."""
    pretty = json.dumps(doc, ensure_ascii=False, indent=2)
    return render("json", title=title, root=root, doc=doc, pretty=pretty)
