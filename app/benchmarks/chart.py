"""The benchmark summary as an accessible SVG bar chart: a pure function of the summary."""

from xml.sax.saxutils import escape

from app.benchmarks.schemas import BenchmarkSummary

WIDTH, BAR, GAP, LEFT, TOP, RIGHT = 640, 28, 12, 120, 64, 80


def render_chart(summary: BenchmarkSummary) -> str:
    items = [i for i in summary.items if i.relative_speed is not None]
    scale_max = max([i.relative_speed or 0 for i in items] + [1.0])
    plot = WIDTH - LEFT - RIGHT
    height = TOP + len(items) * (BAR + GAP) + 56
    kind = summary.test_type.value if summary.test_type else "all test types"
    title = f"Relative speed, {kind} (baseline: {summary.baseline or 'none'} = 1.0)"
    desc = (
        "Each bar is a framework's requests per second as a fraction of the baseline "
        "measured in the same run, combined across runs by geometric mean. Sources: "
        + ", ".join(summary.sources)
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
    ]
    for n, item in enumerate(items):
        y = TOP + n * (BAR + GAP)
        speed = item.relative_speed or 0.0
        width = plot * speed / scale_max
        colour = "#b45309" if item.disagreement else "#1d4ed8"
        label = f"{speed:.2f}x" + (" (sources disagree)" if item.disagreement else "")
        tip = (
            f"{item.framework}: {speed:.2f} of the baseline over {item.runs} run(s); "
            f"{item.rps_min:,.0f} to {item.rps_max:,.0f} req/s seen"
            + ("; the runs disagree" if item.disagreement else "")
        )
        out += [
            "<g>",
            f"<title>{escape(tip)}</title>",
            f'<text x="{LEFT - 8}" y="{y + BAR * 0.65:.1f}" text-anchor="end">'
            f"{escape(item.framework)}</text>",
            f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}"/>',
            f'<text x="{LEFT + width + 6:.1f}" y="{y + BAR * 0.65:.1f}">{escape(label)}</text>',
            "</g>",
        ]
    axis_y = TOP + len(items) * (BAR + GAP)
    out += [
        f'<line x1="{LEFT}" y1="{TOP - 6}" x2="{LEFT}" y2="{axis_y}" stroke="#374151"/>',
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{LEFT + plot}" y2="{axis_y}" stroke="#374151"/>',
        f'<text x="{LEFT + plot / 2:.0f}" y="{axis_y + 32}" text-anchor="middle">'
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
