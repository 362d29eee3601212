"""Where a chart's marks go: geometry only. Every value drawn is one the API answered."""

import math
from typing import Any

from app.explorer.render import CRITERIA

LABEL_WIDTH = 150
PLOT_WIDTH = 440
ROW_HEIGHT = 30
TOP = 12
STEPS = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0)


def ticks(top: float) -> list[float]:
    """Round tick values from 0 past `top`, at most about six of them."""
    top = max(top, 0.1)
    step = next((s for s in STEPS if top / s <= 6), math.ceil(top / 6))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 4) for i in range(count + 1)]


def benchmark_chart(summary: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """Bars for the combined relative speed, a line over the runs' range, a mark per run
    (filled when measured here, hollow when cited), and the disagreement flag."""
    items = summary["items"]
    ratios = [r["ratio"] for item in items for r in item.get("per_run", [])]
    top = max([item["relative_speed"] or 0 for item in items] + ratios + [1.0])
    axis = ticks(top)
    scale = PLOT_WIDTH / axis[-1]
    rows = []
    for i, item in enumerate(items):
        y = TOP + i * ROW_HEIGHT
        runs = [
            {
                "x": LABEL_WIDTH + r["ratio"] * scale,
                "measured": kinds.get(r["source"]) == "measured",
                "label": f"{r['run']}: {r['ratio']:.2f}",
            }
            for r in item.get("per_run", [])
        ]
        xs = [run["x"] for run in runs]
        rows.append(
            {
                "item": item,
                "y": y,
                "mid": y + ROW_HEIGHT / 2,
                "width": (item["relative_speed"] or 0) * scale,
                "runs": runs,
                "low": min(xs) if xs else None,
                "high": max(xs) if xs else None,
            }
        )
    height = TOP + len(items) * ROW_HEIGHT
    return {
        "rows": rows,
        "ticks": [{"value": t, "x": LABEL_WIDTH + t * scale} for t in axis],
        "label_width": LABEL_WIDTH,
        "plot_right": LABEL_WIDTH + PLOT_WIDTH,
        "axis_y": height,
        "width": LABEL_WIDTH + PLOT_WIDTH + 30,
        "height": height + 44,
    }


def score_bars(breakdown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stacked bar of each criterion's contribution, on the 0-100 score scale."""
    labels = {**CRITERIA, "nice_to_have": "Nice-to-have features"}
    order = list(labels)
    segments = []
    x = 0.0
    for part in breakdown:
        width = max(float(part["contribution"]), 0.0)
        index = order.index(part["criterion"]) if part["criterion"] in order else len(order) - 1
        label = labels.get(part["criterion"], part["criterion"])
        segments.append({"x": x, "width": width, "colour": index, "label": label, **part})
        x += width
    return segments
