"""Templates, fingerprinted assets and the headers every page carries."""

import hashlib
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.enums import LANGUAGE_NAMES

HERE = files("app.explorer")
ASSETS = "/explorer-assets/"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Scripts and styles only from this origin, no inline script or style at all: every value a
# page shows is escaped text, and nothing it says can become code.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"same-origin"),
]

LEVELS = {
    # level: (label, the mark shown with its colour, so colour is never the only cue)
    "built_in": ("Built in", "✓"),
    "extension": ("Extension", "+"),
    "partial": ("Partial", "◐"),
    "none": ("None", "✗"),
    "unknown": ("Unknown", "?"),
}
CRITERIA = {
    "performance": "Performance",
    "async": "Async",
    "batteries_included": "Batteries included",
    "flexibility": "Flexibility",
    "ease_of_learning": "Ease of learning",
    "api_docs": "API docs",
    "admin": "Admin",
    "security": "Security",
    "ecosystem": "Ecosystem",
    "maintenance": "Maintenance",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str


def _assets() -> tuple[dict[str, str], dict[str, Asset]]:
    """Each static file under a name carrying its content's hash, so it can be cached as
    long as it exists: a changed file is a new URL."""
    urls: dict[str, str] = {}
    served: dict[str, Asset] = {}
    for item in (HERE / "static").iterdir():
        name = item.name
        stem, dot, ext = name.rpartition(".")
        if not dot or f".{ext}" not in MEDIA_TYPES:
            continue
        body = item.read_bytes()
        digest = hashlib.blake2b(body, digest_size=6).hexdigest()
        fingerprinted = f"{stem}.{digest}.{ext}"
        urls[name] = ASSETS + fingerprinted
        served[fingerprinted] = Asset(body, MEDIA_TYPES[f".{ext}"])
    return urls, served


ASSET_URLS, SERVED_ASSETS = _assets()


def level_label(level: str) -> str:
    return LEVELS.get(level, (level, "?"))[0]


def level_mark(level: str) -> str:
    return LEVELS.get(level, (level, "?"))[1]


# Words whose capitals a plain capitalize() would lose.
PROPER = {
    **LANGUAGE_NAMES,
    "api": "API",
    "wsgi": "WSGI",
    "asgi": "ASGI",
    "both": "WSGI and ASGI",
    "orm": "ORM",
    "node-http": "Node http",
    "fetch": "Fetch API",
    "http-handler": "Go http.Handler",
    "tower": "Tower",
    "rack": "Rack",
    "servlet": "Servlet",
    "reactive-streams": "Reactive Streams",
    "psr-15": "PSR-15",
    "plug": "Plug",
    "esm": "ES modules",
    "commonjs": "CommonJS",
    "dual": "ES modules and CommonJS",
}


# Attributes whose values are vocabulary words, shown in words (`async-runtime`: "Async runtime").
WORDED = frozenset(
    {
        "language",
        "classification",
        "interface",
        "concurrency_model",
        "learning_curve",
        "lifecycle",
        "module_format",
    }
)


def humanize(value: object) -> str:
    text = str(value)
    return PROPER.get(text) or text.replace("_", " ").replace("-", " ").capitalize()


def number(value: object, digits: int = 0) -> str:
    if value is None:
        return "\u2013"  # an en dash: no figure
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def http_url(value: object) -> str | None:
    """A link the dataset gives, only when it is a web address (never `javascript:`)."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else None


ENV = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals.update(assets=ASSET_URLS, levels=LEVELS, criteria=CRITERIA, worded=WORDED)
ENV.filters.update(
    level_label=level_label,
    level_mark=level_mark,
    humanize=humanize,
    number=number,
    http_url=http_url,
)


@dataclass
class Page:
    """What a page handler answers: a template, what it shows, and the status to send."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def render(self) -> bytes:
        return ENV.get_template(self.template).render(self.context).encode()
