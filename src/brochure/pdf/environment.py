"""What of the machine changes the PDF's bytes, read in milliseconds without WeasyPrint.

WeasyPrint draws with the system's Pango and HarfBuzz, finds fallback fonts through
fontconfig, and subsets fonts with HarfBuzz's subsetter when ``libharfbuzz-subset`` can be
loaded (else with fontTools): installing that library, upgrading one of these, or adding a
font that the text falls back to gives other bytes. The cache of whole builds keys on this
description (runtime/cache.py). The libraries are opened under the names WeasyPrint opens them
by (``weasyprint/text/ffi.py``); the fonts are those fontconfig lists, by file, size and date.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from functools import lru_cache

from brochure.core.sandbox import usable_cores

_LIBRARIES = {
    "pango": ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
    "harfbuzz": ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
    "harfbuzz-subset": ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                        "libharfbuzz-subset-0.dll"),
    "fontconfig": ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"),
}


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int),
                ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def _open(name: str) -> ctypes.CDLL | None:
    for file_name in _LIBRARIES[name]:
        try:
            return ctypes.CDLL(file_name)
        except OSError:
            continue
    return None


def _version(library: ctypes.CDLL | None, name: str) -> str:
    """The library's version as it reports it, or "absent"."""
    if library is None:
        return "absent"
    if name == "pango":
        number = library.pango_version()
        return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    if name in ("harfbuzz", "harfbuzz-subset"):
        library.hb_version_string.restype = ctypes.c_char_p
        return library.hb_version_string().decode()
    number = library.FcGetVersion()
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _font_files(fontconfig: ctypes.CDLL) -> list[bytes]:
    """The files of every font fontconfig finds (as WeasyPrint's FontConfiguration loads it)."""
    fontconfig.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fontconfig.FcPatternCreate.restype = ctypes.c_void_p
    fontconfig.FcObjectSetBuild.restype = ctypes.c_void_p
    fontconfig.FcObjectSetBuild.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    fontconfig.FcFontList.restype = ctypes.c_void_p
    fontconfig.FcFontList.argtypes = [ctypes.c_void_p] * 3
    fontconfig.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                              ctypes.POINTER(ctypes.c_char_p)]
    for name in ("FcFontSetDestroy", "FcPatternDestroy", "FcObjectSetDestroy", "FcConfigDestroy"):
        getattr(fontconfig, name).argtypes = [ctypes.c_void_p]
    config = fontconfig.FcInitLoadConfigAndFonts()
    if not config:
        return []
    pattern = fontconfig.FcPatternCreate()
    objects = fontconfig.FcObjectSetBuild(b"file", None)
    listed = fontconfig.FcFontList(config, pattern, objects)
    files = []
    if listed:
        fonts = ctypes.cast(listed, ctypes.POINTER(_FontSet)).contents
        for index in range(fonts.nfont):
            value = ctypes.c_char_p()
            if fontconfig.FcPatternGetString(fonts.fonts[index], b"file", 0,
                                             ctypes.byref(value)) == 0 and value.value:
                files.append(value.value)
        fontconfig.FcFontSetDestroy(listed)
    fontconfig.FcObjectSetDestroy(objects)
    fontconfig.FcPatternDestroy(pattern)
    fontconfig.FcConfigDestroy(config)
    return sorted(set(files))


def _fonts_digest(files: list[bytes]) -> str:
    digest = hashlib.sha256()
    for path in files:
        try:
            info = os.stat(path)
            digest.update(b"%s %d %d\n" % (path, info.st_size, info.st_mtime_ns))
        except OSError:
            digest.update(b"%s missing\n" % path)
    return f"{len(files)} fonts, {digest.hexdigest()[:16]}"


@lru_cache(maxsize=1)
def describe() -> dict[str, str]:
    """Library versions, the font subsetter, the fonts fontconfig finds, and the cores (the
    PDF is laid out in as many parts as there are): what of the machine the PDF depends on."""
    opened = {name: _open(name) for name in _LIBRARIES}
    described = {name: _version(library, name) for name, library in opened.items()}
    described["subsetter"] = ("harfbuzz" if opened["harfbuzz-subset"] is not None
                              and opened["harfbuzz"] is not None
                              and opened["harfbuzz"].hb_version_atleast(4, 1, 0) else "fonttools")
    fontconfig = opened["fontconfig"]
    described["fonts"] = _fonts_digest(_font_files(fontconfig)) if fontconfig else "absent"
    described["cores"] = str(usable_cores())
    return described
