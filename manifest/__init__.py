"""The Teams app package: manifest template, icons drawn in code, and the zip builder."""

from manifest.icons import (
    ACCENT_COLOR,
    COLOR_ICON_SIZE,
    OUTLINE_ICON_SIZE,
    color_icon_png,
    outline_icon_png,
)
from manifest.package import (
    DEFAULT_DEVELOPER_URLS,
    MAX_COMMANDS_PER_LIST,
    BotCommand,
    ManifestError,
    build_manifest,
    build_package,
)

__all__ = [
    "ACCENT_COLOR",
    "COLOR_ICON_SIZE",
    "DEFAULT_DEVELOPER_URLS",
    "MAX_COMMANDS_PER_LIST",
    "OUTLINE_ICON_SIZE",
    "BotCommand",
    "ManifestError",
    "build_manifest",
    "build_package",
    "color_icon_png",
    "outline_icon_png",
]
