"""Geometry for the server-drawn SVG charts. Each chart also comes with its data as a table in the page,
so it reads the same to a screen reader, on paper, and without JavaScript."""

from dataclasses import dataclass

WIDTH, HEIGHT = 440, 200
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 12, 30


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    met: bool


def weekly_bars(weeks: list[dict]) -> dict:
    """Bars of sessions per week with the target as a horizontal line."""
    target = weeks[-1]["target"] if weeks else 0
    top_value = max([w["count"] for w in weeks] + [target, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bars = []
    for i, week in enumerate(weeks):
        height = plot_h * week["count"] / top_value
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.15, 1),
                y=round(TOP + plot_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=week["week"].strftime("%d %b"),
                value=week["count"],
                met=week["met"],
            )
        )
    target_y = round(TOP + plot_h - plot_h * target / top_value, 1)
    ticks = sorted({0, top_value, target})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "bars": bars,
        "target": target,
        "target_y": target_y,
        "ticks": [{"value": t, "y": round(TOP + plot_h - plot_h * t / top_value, 1)} for t in ticks],
        "label_every": max(1, len(weeks) // 4),
    }


def level_steps(points: list[dict], levels: list[str]) -> dict:
    """A line of the level reached at each review, for one Fundamental."""
    width, height, left, right, top, bottom = 320, 150, 100, 12, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_level = max(len(levels) - 1, 1)
    n = len(points)
    placed = []
    for i, point in enumerate(points):
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = top + plot_h - plot_h * point["position"] / top_level
        placed.append({**point, "x": round(x, 1), "y": round(y, 1)})
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": height - bottom,
        "points": placed,
        "path": " ".join(f"{'M' if i == 0 else 'L'}{p['x']},{p['y']}" for i, p in enumerate(placed)),
        "gridlines": [
            {"label": label, "y": round(top + plot_h - plot_h * i / top_level, 1)} for i, label in enumerate(levels)
        ],
    }


def seen_bars(rows: list[dict]) -> dict:
    """Horizontal bars: in how many sessions each Fundamental was seen."""
    label_w, bar_w, row_h = 300, 280, 26
    top_value = max([row["count"] for row in rows] + [1])
    bars = [
        {
            **row,
            "y": i * row_h + 4,
            "width": round(bar_w * row["count"] / top_value, 1),
            "text_y": i * row_h + row_h / 2,
            "count_x": round(label_w + 6 + bar_w * row["count"] / top_value, 1),
        }
        for i, row in enumerate(rows)
    ]
    return {"width": label_w + bar_w + 50, "height": max(len(rows), 1) * row_h, "label_w": label_w, "bars": bars}
