"""Proactive negotiation (RFC 9110, 12.5): which representation and which content coding.

Decided once, here, from every Accept or Accept-Encoding field of a request (a client may
send a field twice: the values are one comma-separated list), with q-values honoured.
"""

from collections.abc import Iterable, Sequence

JSON = "application/json"
CSV = "text/csv"
SVG = "image/svg+xml"

# What each path can be sent as, the server's preference first. JSON elsewhere.
REPRESENTATIONS: dict[str, tuple[str, ...]] = {
    "/api/v1/matrix": (JSON, CSV),
    "/api/v1/benchmarks/chart.svg": (SVG,),
}
DEFAULT = (JSON,)
# Problem details answer a JSON request too: a client asking for them is asking for JSON.
ALIASES = {JSON: ("application/problem+json",)}
ENCODINGS = ("br", "gzip")


def _ranges(values: Iterable[bytes]) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for value in values:
        for item in value.decode("latin-1").split(","):
            name, *params = (part.strip() for part in item.split(";"))
            if not name:
                continue
            q = 1.0
            for param in params:
                key, _, raw = param.partition("=")
                if key.strip().lower() == "q":
                    try:
                        q = float(raw)
                    except ValueError:
                        q = -1.0
            if 0.0 <= q <= 1.0:
                ranges.append((name.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q of the most specific range that matches (0 when none does)."""
    kind = media_type.split("/")[0]
    best, specificity = 0.0, -1
    names = (media_type, *ALIASES.get(media_type, ()))
    for name, q in ranges:
        if name in names:
            rank = 2
        elif name == f"{kind}/*":
            rank = 1
        elif name == "*/*":
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def media_type(accept: Sequence[bytes], offered: Sequence[str]) -> str | None:
    """The offered type the client prefers; None when it accepts none of them."""
    if not accept:
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for candidate in offered:
        q = _quality(ranges, candidate)
        if q > best_q:
            best, best_q = candidate, q
    return best


def coding(accept_encoding: Sequence[bytes], available: Iterable[str] = ENCODINGS) -> str:
    """The content coding to send: the one the client ranks highest, compressed on a tie,
    else `identity` (also when the client excludes it: an uncompressed answer beats none)."""
    if not accept_encoding:
        return "identity"
    ranges = dict(_ranges(accept_encoding))
    wildcard = ranges.get("*", 0.0)
    identity_q = ranges.get("identity", wildcard if "*" in ranges else 1.0)
    chosen, chosen_q = "identity", 0.0
    for candidate in available:
        q = ranges.get(candidate, wildcard)
        if q > chosen_q:
            chosen, chosen_q = candidate, q
    return chosen if chosen_q > 0 and chosen_q >= identity_q else "identity"


def offered_for(path: str) -> tuple[str, ...]:
    return REPRESENTATIONS.get(path, DEFAULT)
