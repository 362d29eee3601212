"""The benchmark summary as an accessible SVG bar chart: a pure function of the summary.

A bar is a framework's combined relative speed; a line across it spans the lowest to the
highest ratio any one run gives; on that line each run is a mark, filled for a run this
project measured and hollow for one it cites, so a reader sees at a glance whether the
bar rests on measurement, on citation, or on both and whether they agree.
"""

from xml.sax.saxutils import escape

from app.benchmarks.schemas import BenchmarkSummary, StandingOut

WIDTH, BAR, GAP, LEFT, TOP, RIGHT = 760, 28, 12, 120, 92, 230
BLUE, AMBER, INK, MEASURED, CITED = "#93c5fd", "#fcd34d", "#374151", "#1e3a8a", "#b45309"


class XScale:
    def __init__(self, scale_max: float) -> None:
        self.plot = WIDTH - LEFT - RIGHT
        self.scale_max = scale_max

    def __call__(self, ratio: float) -> float:
        return LEFT + self.plot * ratio / self.scale_max


def _label(item: StandingOut) -> str:
    speed = item.relative_speed or 0.0
    parts = []
    if item.measured_relative_speed is not None and item.cited_relative_speed is not None:
        parts.append(
            f"measured {item.measured_relative_speed:.2f}, cited {item.cited_relative_speed:.2f}"
        )
    elif item.measured_relative_speed is not None:
        parts.append("measured")
    else:
        parts.append("cited only")
    if item.cited_disagrees:
        parts.append("they disagree")
    elif item.disagreement:
        parts.append("runs disagree")
    return f"{speed:.2f}x ({'; '.join(parts)})"


def _tip(item: StandingOut) -> str:
    runs = "; ".join(
        f"{r.run} ({'measured' if r.measured else 'cited'}): {r.ratio:.2f}" for r in item.per_run
    )
    return (
        f"{item.framework}: {item.relative_speed or 0:.2f} of the baseline over "
        f"{item.runs} run(s); {item.rps_min:,.0f} to {item.rps_max:,.0f} req/s seen. {runs}"
        + (". A cited ratio disagrees with the measured one." if item.cited_disagrees else "")
    )


def _marks(item: StandingOut, y: float, x_of: XScale) -> list[str]:
    mid = y + BAR / 2
    out = []
    if item.ratio_low is not None and item.ratio_high is not None:
        x1, x2 = x_of(item.ratio_low), x_of(item.ratio_high)
        out += [
            f'<line x1="{x1:.1f}" y1="{mid:.1f}" x2="{x2:.1f}" y2="{mid:.1f}" '
            f'stroke="{INK}" stroke-width="1.5"/>',
            f'<line x1="{x1:.1f}" y1="{mid - 6:.1f}" x2="{x1:.1f}" y2="{mid + 6:.1f}" '
            f'stroke="{INK}" stroke-width="1.5"/>',
            f'<line x1="{x2:.1f}" y1="{mid - 6:.1f}" x2="{x2:.1f}" y2="{mid + 6:.1f}" '
            f'stroke="{INK}" stroke-width="1.5"/>',
        ]
    for r in item.per_run:
        x = x_of(r.ratio)
        if r.measured:
            out.append(f'<circle cx="{x:.1f}" cy="{mid:.1f}" r="5" fill="{MEASURED}"/>')
        else:
            points = f"{x:.1f},{mid - 6:.1f} {x + 6:.1f},{mid:.1f} {x:.1f},{mid + 6:.1f} " + (
                f"{x - 6:.1f},{mid:.1f}"
            )
            out.append(
                f'<polygon points="{points}" fill="#ffffff" stroke="{CITED}" stroke-width="2"/>'
            )
    return out


def _legend(y: int) -> list[str]:
    x = LEFT
    return [
        f'<rect x="{x}" y="{y - 10}" width="18" height="12" fill="{BLUE}"/>',
        f'<text x="{x + 24}" y="{y}">combined over runs</text>',
        f'<rect x="{x + 170}" y="{y - 10}" width="18" height="12" fill="{AMBER}"/>',
        f'<text x="{x + 194}" y="{y}">sources disagree</text>',
        f'<circle cx="{x + 330}" cy="{y - 4}" r="5" fill="{MEASURED}"/>',
        f'<text x="{x + 342}" y="{y}">measured here</text>',
        f'<polygon points="{x + 460},{y - 10} {x + 466},{y - 4} {x + 460},{y + 2} '
        f'{x + 454},{y - 4}" fill="#ffffff" stroke="{CITED}" stroke-width="2"/>',
        f'<text x="{x + 472}" y="{y}">cited</text>',
        f'<line x1="{x + 520}" y1="{y - 4}" x2="{x + 548}" y2="{y - 4}" stroke="{INK}"/>',
        f'<text x="{x + 554}" y="{y}">range</text>',
    ]


def render_chart(summary: BenchmarkSummary) -> str:
    items = [i for i in summary.items if i.relative_speed is not None]
    scale_max = max([i.ratio_high or i.relative_speed or 0 for i in items] + [1.0])
    x_of = XScale(scale_max)
    height = TOP + len(items) * (BAR + GAP) + 56
    kind = summary.test_type.value if summary.test_type else "all test types"
    title = f"Relative speed, {kind} (baseline: {summary.baseline or 'none'} = 1.0)"
    desc = (
        "Each bar is a framework's requests per second as a fraction of the baseline "
        "measured in the same run, combined across runs by geometric mean; the line across "
        "it spans the runs' ratios, filled circles are runs measured by this project and "
        "hollow diamonds runs cited from a source. Sources: " + ", ".join(summary.sources)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.0f}" y="28" text-anchor="middle" font-size="16" '
        f'font-weight="bold">{escape(title)}</text>',
        *_legend(58),
    ]
    for n, item in enumerate(items):
        y = TOP + n * (BAR + GAP)
        speed = item.relative_speed or 0.0
        right = x_of(max(speed, item.ratio_high or 0.0))
        colour = AMBER if item.disagreement or item.cited_disagrees else BLUE
        out += [
            "<g>",
            f"<title>{escape(_tip(item))}</title>",
            f'<text x="{LEFT - 8}" y="{y + BAR * 0.65:.1f}" text-anchor="end">'
            f"{escape(item.framework)}</text>",
            f'<rect class="bar" x="{LEFT}" y="{y}" width="{x_of(speed) - LEFT:.1f}" '
            f'height="{BAR}" fill="{colour}"/>',
            *_marks(item, y, x_of),
            f'<text x="{right + 10:.1f}" y="{y + BAR * 0.65:.1f}">{escape(_label(item))}</text>',
            "</g>",
        ]
    axis_y = TOP + len(items) * (BAR + GAP)
    one = x_of(1.0)
    out += [
        f'<line x1="{LEFT}" y1="{TOP - 6}" x2="{LEFT}" y2="{axis_y}" stroke="{INK}"/>',
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{LEFT + x_of.plot}" y2="{axis_y}" stroke="{INK}"/>',
        f'<line x1="{one:.1f}" y1="{TOP - 6}" x2="{one:.1f}" y2="{axis_y}" stroke="{INK}" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{one:.1f}" y="{axis_y + 16}" text-anchor="middle">1.0</text>',
        f'<text x="{LEFT + x_of.plot / 2:.0f}" y="{axis_y + 36}" text-anchor="middle">'
        "Relative speed (baseline = 1.0)</text>",
        f'<text x="16" y="{TOP + (axis_y - TOP) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {TOP + (axis_y - TOP) / 2:.0f})">Framework</text>',
    ]
    if not items:
        out.append(
            f'<text x="{WIDTH / 2:.0f}" y="{TOP + 10}" text-anchor="middle">'
            "No benchmark results match.</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
