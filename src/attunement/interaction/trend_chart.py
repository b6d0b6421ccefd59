"""Geometry of the small chart of a person's interaction over time: synchrony and the share of voice that is
theirs, one point per measured video, oldest on the left. Synchrony is read on the left-hand scale (0 to the
highest value shown) and the share of the voice on the right-hand one (0 to 100%)."""

WIDTH, HEIGHT = 440, 170
LEFT, RIGHT, TOP, BOTTOM = 40, 38, 12, 28  # room for the scales and for half a date label at each end


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(points))


def trend_chart(rows) -> dict:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(rows)
    top_z = max([r.synchrony_z for r in rows if r.synchrony_z is not None] + [0.5])

    def x(i):
        return round(LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(fraction):
        return round(TOP + plot_h - plot_h * min(max(fraction, 0.0), 1.0), 1)

    synchrony = [(x(i), y(r.synchrony_z / top_z), r) for i, r in enumerate(rows) if r.synchrony_z is not None]
    voice = [(x(i), y(r.learner_voice_share)) for i, r in enumerate(rows) if r.learner_voice_share is not None]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "top": TOP,
        "synchrony_path": _path([(px, py) for px, py, _ in synchrony]),
        "synchrony_points": [{"x": px, "y": py, "row": row} for px, py, row in synchrony],
        "synchrony_scale": [{"y": y(0), "label": "0"}, {"y": y(1), "label": f"{top_z:.1f}"}],
        "voice_scale": [{"y": y(0), "label": "0%"}, {"y": y(1), "label": "100%"}],
        "voice_path": _path(voice),
        "labels": [{"x": x(i), "label": r.day.strftime("%d %b")} for i, r in enumerate(rows)],
        "label_every": max(1, n // 5),
    }
