"""Security headers of the map pages: a Content-Security-Policy built from the page itself.

Why: the embed promises a municipal site that its visitors' browsers talk to nobody but this
service and the basemap it chose. The CSP makes the browser enforce that promise: scripts
only from us (inline scripts allowed by their SHA-256 hash, not by 'unsafe-inline'), images
only from us and the basemap host, data only from us.

Framing: ``/embed`` may be framed by the origins in ``KARTE_ALLOWED_ORIGINS`` (and by us, for
the share preview). With the setting empty, any site may embed it (``frame-ancestors *``):
the embed shows published data only and has no actions, and embedding is what it is for —
an operator who wants to restrict it lists the city's origins. ``/maps`` (with the planners'
sign-in) and the share page may only be framed by ourselves. Never ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hashes(html: str) -> list[str]:
    """CSP hash sources for every inline ``<script>`` of the page."""
    out = []
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return out


def template_origin(url: str) -> str | None:
    """``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``."""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc
    if "{s}" in url:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def frame_ancestors(allowed_origins: list[str], embed: bool) -> str:
    if not embed:
        return "'self'"
    if not allowed_origins or "*" in allowed_origins:
        return "*"
    return " ".join(["'self'", *allowed_origins])


def page_headers(
    html: str,
    basemap_urls: list[str],
    allowed_origins: list[str],
    *,
    embed: bool,
    overlay_origins: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """Headers for one rendered map/embed/share page.

    ``overlay_origins``: the external overlays of a saved view (``?ansicht=``) as
    ``{"img": [...], "connect": [...]}`` — exact origins checked by
    mapservice/workspace/views/overlays.py, never a wildcard: the page may load from the
    hosts this one view names and from no other.
    """
    extra = overlay_origins or {}
    image_origins = {o for u in basemap_urls if (o := template_origin(u))}
    images = " ".join(sorted(image_origins | set(extra.get("img", []))))
    connect = " ".join(["'self'", *sorted(set(extra.get("connect", [])))])
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes(html)),
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {images}".strip(),
            "font-src 'self'",
            f"connect-src {connect}",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors " + frame_ancestors(allowed_origins, embed),
        ]
    )
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }
