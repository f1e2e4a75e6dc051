"""Plots the notebooks share: training curves and sample images, labelled in the student's language.

Chinese labels need a font with Chinese glyphs, and matplotlib's default
(DejaVu Sans) has none: it would draw empty boxes. Importing this module puts
a CJK font (Debian's ``fonts-noto-cjk``, which ``make setup`` installs, or the
usual Windows, macOS and Linux ones) behind the default font, so each glyph
comes from the first font that has it. Matplotlib's font cache may predate the
font's installation, so system font files are registered when the cache lacks
them. Where the machine has no CJK font at all, labels stay English and a
sentence says how to install one (on Colab too): never a box.
"""
import re
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

from shared.i18n import MESSAGES, has, language, msg, term

#: Families with Chinese glyphs, the simplified-Chinese ones first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
                "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Noto Sans CJK JP",
                "Droid Sans Fallback", "Arial Unicode MS")
#: File names of such fonts, for a system font the font cache does not list yet.
CJK_FILES = re.compile(r"cjk|wqy|wenquanyi|msyh|simhei|pingfang|hiragino|stheiti|"
                       r"droidsansfallback|sourcehansans", re.I)

_cjk_family = ...  # not looked for yet


def cjk_font():
    """The family name of a font with Chinese glyphs, or None where the machine has none."""
    global _cjk_family
    if _cjk_family is ...:
        _cjk_family = _find_cjk_font()
    return _cjk_family


def _find_cjk_font():
    def known():
        names = {font.name for font in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)
    if found := known():
        return found
    for path in font_manager.findSystemFonts():
        if CJK_FILES.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a font file FreeType cannot read
                continue
    return known()


def use_cjk_font():
    """Put a CJK font behind matplotlib's default one; True if there is one."""
    family = cjk_font()
    if family is None:
        return False
    current = plt.rcParams["font.family"]
    current = [current] if isinstance(current, str) else list(current)
    if family not in current:
        plt.rcParams["font.family"] = [*current, family]
    return True


def label(key):
    """A plot label in the student's language, in English where no font can draw Chinese."""
    if not has(f"plot.{key}"):
        return key  # a metric without a translation keeps its Keras name
    if language() == "zh" and not use_cjk_font():
        _say_once(msg("plot.no_cjk_font"))
        return MESSAGES[f"plot.{key}"]["en"]
    return msg(f"plot.{key}")


def shown_name(text):
    """A plot title's name (``shared.i18n.term``: a model variant) in the student's
    language, in English where no font can draw Chinese."""
    if language() == "zh" and not use_cjk_font():
        _say_once(msg("plot.no_cjk_font"))
        return text
    return term(text)


def titled(title, what):
    """``title: what``, with the punctuation of the student's language."""
    if not title:
        return what
    if language() == "zh" and not use_cjk_font():
        return MESSAGES["plot.title"]["en"].format(title=title, what=what)
    return msg("plot.title", title=title, what=what)


_said = set()


def _say_once(sentence):
    if sentence not in _said:
        _said.add(sentence)
        print(sentence)


use_cjk_font()


def plot_history(history, metric="accuracy", title=None):
    """Plot training and validation loss and ``metric`` per epoch, side by side.

    Accepts a Keras ``History`` or its ``.history`` dict. Keras 3 names the
    keys after the metric (``accuracy``, ``val_accuracy``, ``mae``...).
    """
    logs = getattr(history, "history", history)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, key in zip(axes, ("loss", metric)):
        if key not in logs:
            ax.set_visible(False)
            continue
        epochs = range(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], label=label("train"))
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], label=label("validation"))
        ax.set(xlabel=label("epoch"), ylabel=label(key),
               title=titled(shown_name(title) if title else None, label(key)))
        ax.legend()
    fig.tight_layout()
    return fig


def show_images(images, labels, classes=None, n=6):
    """Show the first ``n`` images with their labels."""
    fig, axes = plt.subplots(1, n, figsize=(2 * n, 2.4))
    for ax, image, label_ in zip(axes, images, labels):
        ax.imshow(image)
        ax.set_title(f"y = {label_ if classes is None else classes[label_]}")
        ax.axis("off")
    fig.tight_layout()
    return fig
