"""Draw the installed app's icons (PNG) from the same shapes as static/attunement/icon.svg, with Pillow.

    .venv/bin/python scripts/make_app_icons.py

Writes icon-192.png and icon-512.png (rounded square, as the SVG) and icon-maskable-512.png (full square, the two
circles inside the middle 80% a tablet's launcher may cut to any shape). The PNGs are committed; run this again
only when icon.svg changes.
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "src" / "attunement" / "static" / "attunement"
BRAND = "#0f6e6a"  # icon.svg's fill, site.css's --brand
WHITE = "#ffffff"
SUPERSAMPLE = 4  # drawn four times larger, then made smaller: smooth edges


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    unit = big / 32  # icon.svg's viewBox is 32 by 32
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BRAND)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(7 * unit), fill=BRAND)
    scale = 0.75 if maskable else 1.0  # inside the maskable safe zone (a circle of 80% of the width)
    middle = big / 2
    stroke = 2.5 * unit * scale
    for centre_x in (11, 21):
        x = middle + (centre_x - 16) * unit * scale
        radius = 6 * unit * scale
        outer = radius + stroke / 2
        pen.ellipse((x - outer, middle - outer, x + outer, middle + outer), outline=WHITE, width=round(stroke))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        path = STATIC / name
        draw(size, maskable=maskable).save(path, optimize=True)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
