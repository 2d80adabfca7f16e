"""The coach's colour themes, by the names settings use.

``bedtime`` is the default: a dim, warm, low-luminance palette for a dark
bedroom (no pure white anywhere, so the screen does not glare). ``high-contrast``
is for low vision: near-black and bright, saturated colours. ``dark`` and
``light`` are Textual's own.
"""

from __future__ import annotations

from textual.theme import Theme

BEDTIME = Theme(
    name="stretch-bedtime",
    primary="#b0703a",  # amber, like a bedside lamp turned low
    secondary="#7a5a3c",
    accent="#c98a4b",
    warning="#c9a04b",
    error="#b5574b",
    success="#7f9a5a",
    foreground="#bfa78a",  # warm parchment, well short of white
    background="#17110c",
    surface="#201810",
    panel="#2a2016",
    dark=True,
    luminosity_spread=0.08,
    text_alpha=0.9,
    variables={
        "footer-key-foreground": "#d59a5c",
        "block-cursor-background": "#5a3c22",
        "block-cursor-foreground": "#e0c8a8",
        "input-selection-background": "#5a3c22 60%",
    },
)

HIGH_CONTRAST = Theme(
    name="stretch-high-contrast",
    primary="#ffd700",
    secondary="#00e5ff",
    accent="#ffd700",
    warning="#ffb000",
    error="#ff5f5f",
    success="#5fff5f",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1c1c1c",
    dark=True,
    luminosity_spread=0.2,
    text_alpha=1.0,
    variables={
        "footer-key-foreground": "#ffd700",
        "block-cursor-background": "#ffd700",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
    },
)

#: Settings' theme names -> Textual theme names.
THEMES: dict[str, str] = {
    "bedtime": BEDTIME.name,
    "dark": "textual-dark",
    "light": "textual-light",
    "high-contrast": HIGH_CONTRAST.name,
}

#: What the settings screen calls each theme.
THEME_LABELS: dict[str, str] = {
    "bedtime": "Bedtime (dim and warm)",
    "dark": "Dark",
    "light": "Light",
    "high-contrast": "High contrast",
}

CUSTOM_THEMES: tuple[Theme, ...] = (BEDTIME, HIGH_CONTRAST)
