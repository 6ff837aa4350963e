"""Pictures for the demo, drawn with Pillow (no file to ship, nothing downloaded): the regional
government's emblem, an office seal for the kop of its documents, and one picture per demo product
(a coloured card with the kind of product drawn on it and its name). Deterministic: the same
arguments give the same bytes."""

import functools
import io
import math
import textwrap

from PIL import Image, ImageDraw, ImageFont

WHITE = (255, 255, 255)
INK = (29, 39, 51)
GOLD = (212, 160, 23)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _centered(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill) -> None:
    draw.text(xy, text, font=_font(size), fill=fill, anchor="mm")


# --- Emblem and seal -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def emblem_png(label: str = "KOTA MEDAN", size: int = 320) -> bytes:
    """A shield: green field, the river in white waves, a gold star, the name on a ribbon. A
    stand-in for the regional emblem on the kop of a demo tenant's documents."""
    w, h = size, int(size * 1.15)
    img = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    m = w * 0.08
    top, mid, bottom = m, h * 0.55, h * 0.82
    shield = [(m, top), (w - m, top), (w - m, mid), (w / 2, bottom), (m, mid)]
    d.polygon(shield, fill=GOLD)
    inset = w * 0.045
    inner = [
        (m + inset, top + inset),
        (w - m - inset, top + inset),
        (w - m - inset, mid - inset * 0.4),
        (w / 2, bottom - inset * 1.6),
        (m + inset, mid - inset * 0.4),
    ]
    d.polygon(inner, fill=(20, 110, 60))
    # A five-pointed star.
    cx, cy, r = w / 2, top + h * 0.17, w * 0.11
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.42
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    d.polygon(points, fill=GOLD)
    # The river: three white waves.
    for n in range(3):
        y = top + h * 0.36 + n * h * 0.07
        wave = [
            (x, y + math.sin((x / w) * math.pi * 4) * h * 0.015)
            for x in range(int(m + inset * 2), int(w - m - inset * 2))
        ]
        d.line(wave, fill=WHITE, width=max(3, w // 60))
    # The ribbon with the name.
    ribbon_top = h * 0.84
    d.rounded_rectangle([m * 0.4, ribbon_top, w - m * 0.4, h - m * 0.3], radius=w * 0.04, fill=(180, 30, 40))
    _centered(d, (w / 2, (ribbon_top + h - m * 0.3) / 2), label, int(w * 0.085), WHITE)
    return _png(img)


@functools.lru_cache(maxsize=64)
def seal_png(short: str, label: str = "MEDAN", size: int = 320) -> bytes:
    """An office seal: a blue ring with the government's name and the office's short name inside."""
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    pad = size * 0.04
    d.ellipse([pad, pad, size - pad, size - pad], fill=(11, 92, 173))
    ring = size * 0.13
    d.ellipse([pad + ring, pad + ring, size - pad - ring, size - pad - ring], fill=WHITE)
    _centered(d, (size / 2, pad + ring / 2 + 2), "PEMERINTAH KOTA", int(size * 0.06), WHITE)
    _centered(d, (size / 2, size - pad - ring / 2 - 2), label, int(size * 0.07), WHITE)
    words = short.split()
    font_size = int(size * (0.16 if max(len(x) for x in words) <= 6 else 0.11))
    line_h = font_size * 1.1
    y0 = size / 2 - line_h * (len(words) - 1) / 2
    for i, word in enumerate(words):
        _centered(d, (size / 2, y0 + i * line_h), word, font_size, (11, 92, 173))
    return _png(img)


# --- Product pictures ----------------------------------------------------------------------------

# Background and accent per top-level category (the six kinds of the Medan report).
PALETTE = {
    "ATK": ((226, 236, 250), (11, 92, 173)),
    "MKN": ((255, 240, 219), (184, 98, 10)),
    "SPT": ((236, 236, 236), (60, 60, 66)),
    "PKN": ((250, 228, 228), (150, 30, 40)),
    "SRG": ((228, 244, 234), (27, 122, 58)),
    "SUV": ((245, 235, 216), (128, 84, 32)),
}


def _shirt(d, box, body, *, collar=WHITE, bottom=None):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    top = y0 + h * 0.05
    shirt_bottom = y1 - (h * 0.32 if bottom else 0)
    d.polygon(
        [
            (cx - w * 0.14, top),
            (cx - w * 0.42, top + h * 0.12),
            (cx - w * 0.5, top + h * 0.36),
            (cx - w * 0.36, top + h * 0.42),
            (cx - w * 0.3, top + h * 0.32),
            (cx - w * 0.3, shirt_bottom),
            (cx + w * 0.3, shirt_bottom),
            (cx + w * 0.3, top + h * 0.32),
            (cx + w * 0.36, top + h * 0.42),
            (cx + w * 0.5, top + h * 0.36),
            (cx + w * 0.42, top + h * 0.12),
            (cx + w * 0.14, top),
        ],
        fill=body,
        outline=INK,
        width=3,
    )
    d.polygon([(cx - w * 0.14, top), (cx, top + h * 0.14), (cx + w * 0.14, top)], fill=collar, outline=INK, width=3)
    d.line([(cx, top + h * 0.14), (cx, shirt_bottom)], fill=INK, width=2)
    for i in range(4):
        y = top + h * 0.22 + i * (shirt_bottom - top - h * 0.25) / 4
        d.ellipse([cx - 5, y - 5, cx + 5, y + 5], fill=INK)
    d.rectangle([cx - w * 0.24, top + h * 0.24, cx - w * 0.1, top + h * 0.34], outline=INK, width=2)
    if bottom:
        d.rectangle([cx - w * 0.3, shirt_bottom + 8, cx + w * 0.3, y1], fill=bottom, outline=INK, width=3)
        d.line([(cx, shirt_bottom + 8), (cx, y1)], fill=INK, width=2)


def _cloth(d, box, base, stripe, motif):
    x0, y0, x1, y1 = box
    d.rectangle(box, fill=base, outline=INK, width=3)
    h = y1 - y0
    for frac in (0.12, 0.22, 0.78, 0.88):
        y = y0 + h * frac
        d.rectangle([x0, y - 6, x1, y + 6], fill=stripe)
    step = (x1 - x0) / 8
    for i in range(8):
        cx, cy = x0 + step * (i + 0.5), y0 + h / 2
        d.polygon(
            [(cx, cy - h * 0.2), (cx + step * 0.4, cy), (cx, cy + h * 0.2), (cx - step * 0.4, cy)],
            outline=motif,
            width=4,
        )
    for i in range(24):
        x = x0 + (x1 - x0) * (i + 0.5) / 24
        d.line([(x, y1), (x, y1 + 22)], fill=stripe, width=3)


def _shoe(d, box, body, sole, accent=None):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d.polygon(
        [
            (x0 + w * 0.05, y0 + h * 0.35),
            (x0 + w * 0.3, y0 + h * 0.3),
            (x0 + w * 0.55, y0 + h * 0.55),
            (x0 + w * 0.92, y0 + h * 0.62),
            (x0 + w, y0 + h * 0.8),
            (x0, y0 + h * 0.8),
        ],
        fill=body,
        outline=INK,
        width=3,
    )
    d.rectangle([x0, y0 + h * 0.8, x0 + w, y0 + h * 0.9], fill=sole, outline=INK, width=3)
    if accent:
        d.line([(x0 + w * 0.35, y0 + h * 0.72), (x0 + w * 0.6, y0 + h * 0.58)], fill=accent, width=10)
        d.line([(x0 + w * 0.45, y0 + h * 0.76), (x0 + w * 0.7, y0 + h * 0.62)], fill=accent, width=10)


def _box(d, box, color, fill_fn=None):
    x0, y0, x1, y1 = box
    d.rectangle([x0, y0 + (y1 - y0) * 0.25, x1, y1], fill=color, outline=INK, width=3)
    d.polygon(
        [(x0, y0 + (y1 - y0) * 0.25), (x0 + 30, y0), (x1 - 30, y0), (x1, y0 + (y1 - y0) * 0.25)],
        fill=WHITE,
        outline=INK,
        width=3,
    )
    if fill_fn:
        fill_fn()


def _draw_kind(d, code: str, name: str, box, accent) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lower = name.lower()
    if code.startswith("PKN-KAIN-SGK"):
        _cloth(d, (x0 + w * 0.1, y0 + h * 0.1, x1 - w * 0.1, y1 - h * 0.2), (90, 30, 90), GOLD, GOLD)
    elif code.startswith("PKN-KAIN"):
        _cloth(d, (x0 + w * 0.1, y0 + h * 0.1, x1 - w * 0.1, y1 - h * 0.2), (140, 20, 30), INK, WHITE)
    elif code.startswith("PKN-PDL"):
        _shirt(d, (cx - h * 0.5, y0, cx + h * 0.5, y1), (70, 84, 52), collar=(70, 84, 52), bottom=(60, 70, 45))
    elif code.startswith("PKN"):
        _shirt(d, (cx - h * 0.5, y0, cx + h * 0.5, y1), (196, 170, 120), collar=(196, 170, 120))
    elif code.startswith("SRG"):
        bottom = {"SRG-SD": (190, 30, 40), "SRG-SMP": (30, 60, 140), "SRG-SMA": (120, 124, 130)}.get(code, accent)
        _shirt(d, (cx - h * 0.5, y0, cx + h * 0.5, y1), WHITE, bottom=bottom)
    elif code.startswith("SPT-OLR"):
        _shoe(d, (x0 + w * 0.12, y0 + h * 0.15, x1 - w * 0.12, y1), WHITE, (200, 200, 200), accent=(30, 80, 170))
    elif code.startswith("SPT"):
        _shoe(
            d, (x0 + w * 0.12, y0 + h * 0.15, x1 - w * 0.12, y1), (25, 25, 28) if "pria" in lower else (90, 40, 30), INK
        )
    elif code.startswith("MKN-KUE"):
        if "bika" in lower:
            d.rectangle(
                [cx - h * 0.45, cy - h * 0.3, cx + h * 0.45, cy + h * 0.3], fill=(240, 190, 60), outline=INK, width=3
            )
            for i in range(1, 6):
                y = cy - h * 0.3 + i * h * 0.1
                d.line([(cx - h * 0.45, y), (cx + h * 0.45, y)], fill=(200, 140, 30), width=3)
        else:
            d.rounded_rectangle(
                [cx - h * 0.5, cy - h * 0.25, cx + h * 0.3, cy + h * 0.25],
                radius=h * 0.25,
                fill=(236, 200, 130),
                outline=INK,
                width=3,
            )
            d.ellipse(
                [cx + h * 0.05, cy - h * 0.25, cx + h * 0.55, cy + h * 0.25], fill=(250, 235, 190), outline=INK, width=3
            )
            for r in (0.18, 0.11, 0.05):
                d.arc(
                    [cx + h * (0.3 - r), cy - h * r, cx + h * (0.3 + r), cy + h * r],
                    0,
                    300,
                    fill=(230, 170, 40),
                    width=6,
                )
    elif code.startswith("MKN-NSI") or code.startswith("MKN-RGN"):

        def filling():
            if code.startswith("MKN-NSI"):
                d.chord(
                    [cx - h * 0.3, cy - h * 0.05, cx + h * 0.05, cy + h * 0.45],
                    180,
                    360,
                    fill=WHITE,
                    outline=INK,
                    width=2,
                )
                d.ellipse(
                    [cx + h * 0.08, cy + h * 0.1, cx + h * 0.32, cy + h * 0.3],
                    fill=(200, 120, 40),
                    outline=INK,
                    width=2,
                )
            else:
                for i in range(4):
                    ox = cx - h * 0.36 + i * h * 0.24
                    d.ellipse(
                        [ox, cy + h * 0.1, ox + h * 0.18, cy + h * 0.28],
                        fill=[(240, 190, 60), (120, 70, 40), (230, 120, 150), (140, 180, 80)][i],
                        outline=INK,
                        width=2,
                    )

        _box(d, (cx - h * 0.5, y0 + h * 0.1, cx + h * 0.5, y1 - h * 0.05), (255, 252, 240), filling)
    elif code.startswith("MKN"):
        d.rounded_rectangle(
            [cx - h * 0.25, cy - h * 0.2, cx + h * 0.2, cy + h * 0.4], radius=20, fill=WHITE, outline=INK, width=4
        )
        d.arc([cx + h * 0.1, cy - h * 0.1, cx + h * 0.35, cy + h * 0.2], 270, 90, fill=INK, width=8)
        d.rectangle(
            [cx - h * 0.22, cy - h * 0.14, cx + h * 0.17, cy - h * 0.04],
            fill=(110, 60, 30) if "kopi" in lower else (220, 150, 60),
        )
        for i in range(3):
            sx = cx - h * 0.12 + i * h * 0.12
            d.arc([sx - 15, cy - h * 0.45, sx + 15, cy - h * 0.25], 90, 270, fill=(150, 150, 150), width=5)
    elif code.startswith("ATK-TLS"):
        for i in range(5):
            x = cx - h * 0.4 + i * h * 0.2
            d.rectangle(
                [x, cy - h * 0.4, x + h * 0.08, cy + h * 0.3], fill=INK if i % 2 == 0 else (40, 60, 160), outline=INK
            )
            d.polygon(
                [(x, cy + h * 0.3), (x + h * 0.08, cy + h * 0.3), (x + h * 0.04, cy + h * 0.42)],
                fill=(200, 200, 200),
                outline=INK,
            )
    elif code.startswith("ATK-ARS"):
        d.rectangle([cx - h * 0.35, cy - h * 0.42, cx + h * 0.35, cy + h * 0.42], fill=accent, outline=INK, width=4)
        d.rectangle([cx - h * 0.2, cy - h * 0.3, cx + h * 0.2, cy - h * 0.1], fill=WHITE, outline=INK, width=2)
        d.ellipse([cx - h * 0.05, cy + h * 0.15, cx + h * 0.05, cy + h * 0.25], fill=WHITE, outline=INK, width=2)
    elif code.startswith("ATK"):
        for i in range(5):
            off = i * 10
            d.rectangle(
                [cx - h * 0.42 + off, cy - h * 0.35 - off, cx + h * 0.28 + off, cy + h * 0.42 - off],
                fill=WHITE,
                outline=INK,
                width=2,
            )
        if "agenda" in lower:
            d.rectangle(
                [cx - h * 0.42 + 40, cy - h * 0.35 - 40, cx + h * 0.28 + 40, cy + h * 0.42 - 40],
                fill=(120, 50, 30),
                outline=INK,
                width=3,
            )
            for i in range(6):
                y = cy - h * 0.3 + i * h * 0.11
                d.line([(cx - h * 0.35 + 40, y), (cx + h * 0.22 + 40, y)], fill=GOLD, width=4)
    elif code.startswith("SUV-RTN"):
        if "kursi" in lower:
            d.rectangle([cx - h * 0.3, cy - h * 0.45, cx + h * 0.3, cy], fill=(200, 160, 100), outline=INK, width=3)
            d.rectangle([cx - h * 0.4, cy, cx + h * 0.4, cy + h * 0.12], fill=(180, 140, 80), outline=INK, width=3)
            for x in (cx - h * 0.36, cx + h * 0.32):
                d.rectangle([x, cy + h * 0.12, x + h * 0.04, cy + h * 0.45], fill=(150, 110, 60), outline=INK)
        else:
            d.chord(
                [cx - h * 0.45, cy - h * 0.5, cx + h * 0.45, cy + h * 0.45],
                0,
                180,
                fill=(205, 165, 100),
                outline=INK,
                width=3,
            )
            d.arc([cx - h * 0.3, cy - h * 0.45, cx + h * 0.3, cy + h * 0.1], 180, 360, fill=(150, 110, 60), width=10)
        for i in range(7):
            y = cy + i * h * 0.055
            d.line([(cx - h * 0.38, y), (cx + h * 0.38, y)], fill=(150, 110, 60), width=2)
    elif code.startswith("SUV"):
        if "rumah" in lower or "bolon" in lower:
            d.rectangle([cx - h * 0.3, cy, cx + h * 0.3, cy + h * 0.35], fill=(120, 70, 40), outline=INK, width=3)
            d.polygon(
                [
                    (cx - h * 0.5, cy - h * 0.45),
                    (cx, cy - h * 0.1),
                    (cx + h * 0.5, cy - h * 0.45),
                    (cx + h * 0.35, cy),
                    (cx - h * 0.35, cy),
                ],
                fill=(60, 40, 30),
                outline=INK,
                width=3,
            )
            for i in range(5):
                x = cx - h * 0.25 + i * h * 0.125
                d.polygon(
                    [
                        (x, cy + h * 0.05),
                        (x + h * 0.05, cy + h * 0.12),
                        (x, cy + h * 0.19),
                        (x - h * 0.05, cy + h * 0.12),
                    ],
                    fill=(200, 30, 30),
                    outline=WHITE,
                )
        elif "kunci" in lower:
            d.ellipse([cx - h * 0.4, cy - h * 0.4, cx - h * 0.1, cy - h * 0.1], outline=(170, 170, 170), width=8)
            _cloth(d, (cx - h * 0.15, cy - h * 0.2, cx + h * 0.35, cy + h * 0.3), (140, 20, 30), INK, WHITE)
        else:
            d.rectangle(
                [cx - h * 0.35, cy - h * 0.4, cx + h * 0.35, cy + h * 0.4], fill=(150, 100, 50), outline=INK, width=4
            )
            d.rectangle([cx - h * 0.27, cy - h * 0.32, cx + h * 0.27, cy + h * 0.32], outline=GOLD, width=5)
            d.ellipse([cx - h * 0.1, cy - h * 0.2, cx + h * 0.1, cy], outline=GOLD, width=5)
    else:
        d.ellipse([cx - h * 0.3, cy - h * 0.3, cx + h * 0.3, cy + h * 0.3], fill=accent)


@functools.lru_cache(maxsize=256)
def product_picture(name: str, category_code: str, category_name: str, *, size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG card: the kind of product drawn on the category's colour, with its category above and
    its name below."""
    width, height = size
    k = width / 800  # drawn for 800 px wide, scaled
    background, accent = PALETTE.get(category_code.split("-")[0], ((235, 235, 235), INK))
    img = Image.new("RGB", size, background)
    d = ImageDraw.Draw(img)
    chip = _font(int(26 * k))
    d.rounded_rectangle(
        [24 * k, 20 * k, 56 * k + d.textlength(category_name, font=chip), 64 * k], radius=20 * k, fill=accent
    )
    d.text((40 * k, 42 * k), category_name, font=chip, fill=WHITE, anchor="lm")
    band = int(height * 0.27)
    _draw_kind(d, category_code, name, (width * 0.2, 90 * k, width * 0.8, height - band - 20 * k), accent)
    d.rectangle([0, height - band, width, height], fill=WHITE)
    d.rectangle([0, height - band, width, height - band + 8 * k], fill=accent)
    lines = textwrap.wrap(name, width=34)[:2]
    for i, line in enumerate(lines):
        y = height - band + 20 * k + (band - 20 * k) * (i + 1) / (len(lines) + 1)
        d.text((width / 2, y), line, font=_font(int(40 * k)), fill=INK, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=95)  # the photo service re-encodes it; JPEG is the quickest
    return buf.getvalue()
