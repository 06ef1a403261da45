"""The text layer of the PDFs: copying, searching and reading aloud give the Thai that was printed.

A PDF maps each glyph of a font to one piece of text (its ToUnicode map), the same wherever the glyph
is drawn. Thai breaks that in one place: HarfBuzz draws sara am (ำ) as nikhahit (ํ) and sara aa (า),
so the sara aa glyph stood both for า and for the end of ำ, and WeasyPrint, which maps a glyph by
the first cluster it is drawn in, read the whole report as "สำนักงำน…" or "ความสาเร็จ", "นาหนัก".

Two changes, both only in the PDF (the browser keeps the vendored files as they are):

- ``pdf_font``: the Thai face WeasyPrint embeds gets a copy of sara aa (``uni0E32.am``, same outline
  and advance) and a ``ccmp`` rule that draws it instead of sara aa after a nikhahit: the two uses are
  two glyphs now.
- ``glyph_texts``: each glyph's text comes from the font, not from the first cluster: the character
  of the cmap, through the font's substitutions (a narrow or small tone mark reads as the tone mark,
  a nikhahit-and-tone ligature as the tone mark), nikhahit as nothing and the copy of sara aa as ำ,
  so that "น้ำ" (drawn น, ํ้, า) reads น, ้, ำ again.

``install`` puts the second into WeasyPrint's font embedding (see docs/printing.md).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import logging

from fontTools.otlLib import builder
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables

logger = logging.getLogger(__name__)

SARA_AM, SARA_AA, NIKHAHIT = "\u0e33", "\u0e32", "\u0e4d"
AM_SUFFIX = ".am"


def _cmap_names(font: TTFont) -> dict[int, str]:
    return font.getBestCmap() or {}


def pdf_font(data: bytes) -> bytes:
    """The font as WeasyPrint should embed it: a Thai face with sara am's sara aa as a glyph of its own
    (TrueType, not WOFF2); every other font, or one this cannot change, as it is."""
    changed = _pdf_font(hashlib.sha256(data).hexdigest(), data)
    return data if changed is None else changed


@functools.lru_cache(maxsize=32)
def _pdf_font(digest: str, data: bytes) -> bytes | None:
    try:
        return _with_sara_am_glyph(data)
    except Exception:  # a font fontTools cannot read or write: printed as it is, with WeasyPrint's text layer
        logger.warning("PDF font left unchanged (Thai text layer as WeasyPrint makes it)", exc_info=True)
        return None


def _with_sara_am_glyph(data: bytes) -> bytes | None:
    font = TTFont(io.BytesIO(data))
    cmap = _cmap_names(font)
    if not all(ord(ch) in cmap for ch in (SARA_AM, SARA_AA, NIKHAHIT)) or "GSUB" not in font or "glyf" not in font:
        return None
    aa = cmap[ord(SARA_AA)]
    am_aa = aa + AM_SUFFIX
    order = font.getGlyphOrder()
    if am_aa in order:
        return None
    glyf = font["glyf"]
    outline = copy.deepcopy(glyf[aa])
    font.setGlyphOrder([*order, am_aa])
    glyf.glyphOrder = font.getGlyphOrder()
    glyf[am_aa] = outline
    font["hmtx"][am_aa] = font["hmtx"][aa]
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef and aa in font["GDEF"].table.GlyphClassDef.classDefs:
        font["GDEF"].table.GlyphClassDef.classDefs[am_aa] = font["GDEF"].table.GlyphClassDef.classDefs[aa]

    gsub = font["GSUB"].table
    texts = _texts_by_name(font)
    nikhahits = sorted(name for name, text in texts.items() if NIKHAHIT in text and name in order)
    glyph_ids = font.getReverseGlyphMap()
    lookups = gsub.LookupList.Lookup
    lookups.append(builder.buildLookup([builder.buildSingleSubstSubtable({aa: am_aa})]))
    single = len(lookups) - 1
    chain = otTables.ChainContextSubst()
    chain.Format = 3
    chain.BacktrackGlyphCount, chain.BacktrackCoverage = 1, [builder.buildCoverage(nikhahits, glyph_ids)]
    chain.InputGlyphCount, chain.InputCoverage = 1, [builder.buildCoverage([aa], glyph_ids)]
    chain.LookAheadGlyphCount, chain.LookAheadCoverage = 0, []
    record = otTables.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, single
    chain.SubstCount, chain.SubstLookupRecord = 1, [record]
    lookup = otTables.Lookup()
    lookup.LookupType, lookup.LookupFlag, lookup.SubTable, lookup.SubTableCount = 6, 0, [chain], 1
    lookups.append(lookup)
    gsub.LookupList.LookupCount = len(lookups)
    ccmp = [record.Feature for record in gsub.FeatureList.FeatureRecord if record.FeatureTag == "ccmp"]
    if not ccmp:
        return None
    for feature in ccmp:  # after the font's own ccmp lookups: it sees their ligatures and narrow forms
        feature.LookupListIndex.append(len(lookups) - 1)
        feature.LookupCount = len(feature.LookupListIndex)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _texts_by_name(font: TTFont) -> dict[str, str]:
    """Glyph name → the text it stands for: the cmap, then through the font's single substitutions and
    ligatures; nikhahit and its ligatures read without the nikhahit, the copy of sara aa as sara am."""
    texts: dict[str, str] = {}
    for codepoint, name in sorted(_cmap_names(font).items()):
        texts.setdefault(name, chr(codepoint))
    aa = _cmap_names(font).get(ord(SARA_AA))
    singles, ligatures = [], []
    if "GSUB" in font:
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for subtable in lookup.SubTable:
                if lookup.LookupType == 7:  # extension
                    subtable = subtable.ExtSubTable
                if lookup.LookupType in (1, 7) and hasattr(subtable, "mapping"):  # single, not multiple
                    singles.extend((a, b) for a, b in subtable.mapping.items() if isinstance(b, str))
                elif hasattr(subtable, "ligatures"):
                    ligatures.extend(([first, *lig.Component], lig.LigGlyph)
                                     for first, ligs in subtable.ligatures.items() for lig in ligs)
    changed = True
    while changed:
        changed = False
        for source, target in singles:
            if target not in texts and source in texts:
                texts[target], changed = texts[source], True
        for components, target in ligatures:
            if target not in texts and all(c in texts for c in components):
                texts[target], changed = "".join(texts[c] for c in components), True
    if aa:
        texts[aa + AM_SUFFIX] = SARA_AM
    return texts


@functools.lru_cache(maxsize=32)
def _glyph_texts(digest: str, data: bytes) -> dict[int, str]:
    font = TTFont(io.BytesIO(data), lazy=True)
    order = font.getGlyphOrder()
    if not any(name.endswith(AM_SUFFIX) for name in order):
        return {}  # not a face pdf_font changed: WeasyPrint's own mapping stays
    texts = _texts_by_name(font)
    glyph_ids = font.getReverseGlyphMap()
    return {glyph_ids[name]: "" if text == NIKHAHIT else text.replace(NIKHAHIT, "")
            for name, text in texts.items() if name in glyph_ids}


def glyph_texts(data: bytes) -> dict[int, str]:
    """Glyph id → its text, for a font ``pdf_font`` gave a glyph for sara am's sara aa; {} for any other."""
    return _glyph_texts(hashlib.sha256(data).hexdigest(), data)


def install(weasyprint_pdf) -> None:
    """Let WeasyPrint's font embedding (``weasyprint.pdf.build_fonts_dictionary``) take each glyph's text
    from ``glyph_texts``. Done once; a WeasyPrint without that function keeps its own text layer (logged)."""
    original = getattr(weasyprint_pdf, "build_fonts_dictionary", None)
    if original is None:
        logger.warning("WeasyPrint has no build_fonts_dictionary: the PDF's Thai text layer is WeasyPrint's own")
        return
    if getattr(original, "krs_glyph_texts", False):
        return

    @functools.wraps(original)
    def build_fonts_dictionary(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            texts = glyph_texts(font.file_content)
            for glyph_id in font.to_unicode:
                if glyph_id in texts:
                    font.to_unicode[glyph_id] = texts[glyph_id]
        return original(pdf, fonts, *args, **kwargs)

    build_fonts_dictionary.krs_glyph_texts = True
    weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
