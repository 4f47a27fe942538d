"""Draws the installed app's PNG icons (public/icons/) from src/app/icon.svg's two shapes.

The web app manifest (src/app/manifest.ts) needs raster icons of 192 and 512 px,
and a "maskable" one whose check mark stays inside the 80 % safe zone when a
phone cuts the icon to a circle or a squircle. The SVG is a rounded square and
a check mark; they are drawn here at four times the size and scaled down
(antialiasing), so no SVG renderer is needed. Run with any Python that has
Pillow (the backend's venv has it):

    ../backend/src/.venv/bin/python scripts/pwa-icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

INDIGO = (79, 70, 229, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
SCALE = 4


def draw(size: int, *, maskable: bool) -> Image.Image:
    """The icon at `size` px: as icon.svg draws it, or full-bleed with the mark in the safe zone."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=INDIGO)
        # The mark drawn as on a 32-unit square, shrunk to 70 % around the centre.
        unit = big * 0.7 / 32
        origin = big * 0.15
    else:
        unit = big / 32
        origin = 0.0
        square = (2 * unit, 2 * unit, 30 * unit, 30 * unit)
        pen.rounded_rectangle(square, radius=8 * unit, fill=INDIGO)
    mark = ((9.5, 16.5), (14, 21), (22.5, 11))
    points = [(origin + x * unit, origin + y * unit) for x, y in mark]
    width = round(3.2 * unit)
    pen.line(points, fill=WHITE, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        radius = width / 2
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
