"""Loaders for the course's IMDB and Reuters text datasets, real or synthetic.

Files (the real ones are the Keras downloads)::

    imdb.npz      x_train, x_test: 1-D object arrays of Python lists of int word ranks
                  (1 = the most frequent word; not yet offset by ``index_from``)
                  y_train, y_test: int64 labels, 0 = negative, 1 = positive review
                  25,000 + 25,000 reviews, balanced
    reuters.npz   x: the same kind of object array, y: int64 topic 0..45; 11,228 newswires
    imdb_word_index.json, reuters_word_index.json: {"word": rank}, ranks 1..N

Where a file is looked up, in order: the ``folder`` argument if given, otherwise
the data folder (:func:`shared.data.data_dir`: ``$COURSE_DATA_DIR`` or
``<repo>/data``); then the Keras cache (``$KERAS_HOME/datasets``, by default
``~/.keras/datasets``). A real file found in either place wins. Otherwise the
synthetic stand-in is used: read from disk if ``make data`` wrote it
(:func:`write_synthetic_text`), else generated in memory. Both are the same,
deterministic data. Every loader prints one line naming the source and path
(``verbose=False`` silences it). ``python -m shared.text_data`` (or
:func:`write_synthetic_text` from ``make data``) writes the four stand-in files
into the data folder, never over an existing file. :func:`imdb_source` and
:func:`reuters_source` say which source a load would use, to pick thresholds.

How kit-written files are told apart from real ones:

* ``.npz``: an extra array ``__source__`` holding ``"synthetic"``. The loaders
  ignore it otherwise; Keras's own ``load_data`` ignores unknown keys too.
* word index ``.json``: an extra key ``"__synthetic__": 0``. No real word has
  that spelling and rank 0 is never used, so the key can't clash; the loader
  strips it before returning the dict. The file needs no sidecar.

Processing (shuffling with ``np.random.RandomState(seed)``, ``start_char``,
``index_from``, ``maxlen``, ``num_words``, ``skip_top``, ``oov_char``, the
Reuters ``test_split``) re-implements Keras 3's ``keras.datasets.imdb`` and
``reuters.load_data`` step for step and gives identical arrays for the same
file (tests/test_text_data.py checks it against Keras itself). Keras's own
``load_data`` is never called: it checks the cached file's hash, tries to
download again on a mismatch and, offline, deletes the file. The one
deviation: when ``maxlen`` drops every Reuters newswire we raise
``ValueError`` (as Keras does for IMDB) instead of returning empty arrays or
failing inside ``max()``.

The synthetic corpora (:func:`make_imdb`, :func:`make_reuters`,
:func:`make_word_index`) draw word ranks from Zipf-like frequencies over a
vocabulary of a few hundred real English words (all the top ranks) and
pronounceable pseudo-words; ranks are then ordered by expected frequency, so
rank 1 is the most frequent word as in the real indexes.
IMDB reviews carry a hidden sentiment strength that tilts the odds of
positive and negative words (many of them inside the top 10,000 ranks); some
reviews are lukewarm or say the opposite of their label, so the course's
network lands near the course's accuracy and overfits like the real data.
Reuters newswires mix background words with words of their topic and of
related topics (grains, metals, energy, money ...), with the real data's
skewed topic counts. The language (which rank is which word, which words are
positive, which belong to a topic) is fixed; a document seed changes only the
documents, so every seed decodes with the same word index.
"""
from __future__ import annotations

import functools
import io
import itertools
import json
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.data import bad_file, data_dir, keras_cache_dir, show_path, write_hint
from shared.i18n import msg

__all__ = [
    "load_imdb", "load_reuters", "get_word_index", "imdb_source", "reuters_source",
    "find_source", "Source", "Ragged", "process", "make_imdb", "make_reuters",
    "make_word_index", "write_synthetic_text", "REUTERS_TOPICS",
]

DATASETS = ("imdb", "reuters")
#: Seeds of the synthetic stand-ins students see (``make data``, in-memory fallback).
PUBLIC_SEEDS = {"imdb": 20_113, "reuters": 20_114}
#: Seed of the pseudo-word spellings of the public word indexes.
WORD_INDEX_SEED = 7
#: Fixes the structure of the synthetic languages; never changes with a document seed.
_LANGUAGE_SEED = 1_234
SYNTHETIC_TAG = "synthetic"
NPZ_TAG_KEY = "__source__"
JSON_TAG_KEY = "__synthetic__"
NAMES = {"imdb": "IMDB", "reuters": "Reuters"}
NPZ_KEYS = {"imdb": ("x_train", "y_train", "x_test", "y_test"), "reuters": ("x", "y")}

# Topic names in label order, as keras.datasets.reuters.get_label_names() gives them.
REUTERS_TOPICS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
    "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)
# Newswires per topic in the real 11,228 (train + test); the synthetic sets keep
# these proportions at any size.
REUTERS_TOPIC_COUNTS = (
    67, 537, 94, 3972, 2423, 22, 62, 19, 177, 126, 154, 473, 62, 209, 28, 29, 543, 51,
    86, 682, 339, 127, 22, 53, 81, 123, 32, 19, 58, 23, 57, 52, 42, 16, 57, 16, 60, 21,
    22, 29, 46, 38, 16, 27, 17, 19,
)

# ------------------------------------------------------------------ knobs ---
# Calibrated by training the course's models on the public stand-ins (IMDB
# 16-16-1, 4 epochs: test accuracy ~0.88, validation loss lowest at epoch ~4 of
# 20; Reuters 64-64-46, 9 epochs: ~0.80; shuffled-label baseline ~0.19).
# Re-measure after any change.
ZIPF_EXPONENT = 1.2      # background word frequency ~ 1 / (rank + ZIPF_SHIFT) ** a
ZIPF_SHIFT = 3.0
SPREAD_SHAPE = 0.45       # < 1: fewer named sentiment/topic words among the top ranks
IMDB_VOCAB = 88_000
REUTERS_VOCAB = 30_000
IMDB_LENGTH = dict(median=176, sigma=0.72, low=10, high=2494)
REUTERS_LENGTH = dict(median=92, sigma=0.95, low=10, high=2376)
IMDB_LEVELS = 41                # sentiment strengths in [-1, 1] get their own word odds
IMDB_SENTIMENT = dict(named=1.2, pseudo=0.5, pseudo_share=0.5)
# Share of reviews of each kind and their sentiment strength (mean, spread) for
# label 1; label 0 mirrors it: clear, lukewarm, saying the opposite.
IMDB_MOODS = dict(clear=(0.85, 0.8, 0.25), lukewarm=(0.11, 0.2, 0.15),
                  contrary=(0.04, -0.3, 0.2))
REUTERS_TOPIC_WORDS = 40        # pseudo-words per topic on top of its named words
REUTERS_FAMILY_WORDS = 60
REUTERS_NAMED_BOOST = 4.0      # named topic words weigh this much more than its pseudo-words
# Token shares per newswire: own topic ~ Beta(topic), its family, another topic
# (for ``other_share`` of newswires, up to ``other``); ``stray``: share of
# newswires written with the words of a sibling topic (label noise, as in real data).
REUTERS_MIX = dict(topic=(1.8, 12.0), family=0.12, other=0.2, other_share=0.6, stray=0.02)

# ------------------------------------------------------------ word lists ---
# Our own lists, not the real indexes: frequent words first (ranks 1..10 look
# like the real IMDB index), then the rest in a loose frequency order.
_IMDB_COMMON = """
the and a of to is br in it i this that was as with for but movie film on not you
are his have he be one all at by an they who so from like her or just about out
has if some there what more when very up no time she even my would which only
story really see their had can were me we than much been get will do also into
people other first because how him most made its then way make them too could any
after think characters watch two films character seen many being life plot never
acting little know over where did show off ever does your end still man here
these say scene while why scenes go such something through should back real those
now though years old thing actors work before another new nothing actually makes
director look find going few same part again lot cast us quite want world things
around young seems down take however got big fact enough both give may own
between thought long series without original always right role come whole point
times bit almost guy done least family far kind since last script anything feel
making action comedy might probably yet am away girl tv saw day found anyone
trying sure rather played each hard woman everything especially although screen
believe our course goes looking set place comes put ending maybe dvd different
money sense main book true three everyone someone reason shows job once watched
later plays actor night takes effects play seem instead john special year looks
half himself simply said wife together audience american version less death house
high black seeing war left father else given rest star mind shot help second men
home line used budget kids hollywood friends low either dead wants try short read
need camera until fan use style boy women getting video production episode couple
head school tell mean full name understand felt human small remember let actress
moments itself stars perhaps along doing early lines friend mother others hand
sound called wrong city horror story's town red face lost keep car mr dialogue
white entire person despite live sort case game words stop written title age
children turns head start evil killer later next kill son heart taking humor
michael certainly sister nearly girls murder days rather close under police
problem light running entertainment viewer viewers piece fight already worked
becomes behind across cinema wanted dark guys happened final past view friends
""".split()
_IMDB_POSITIVE = """
great good best love excellent beautiful wonderful enjoyed favorite perfect loved
amazing brilliant fantastic enjoy recommend highly fun nice superb beautifully
masterpiece touching powerful moving hilarious gem outstanding delightful charming
lovely classic incredible enjoyable terrific wonderfully perfectly fascinating
stunning memorable refreshing greatest finest superbly underrated brilliantly
captivating heartwarming breathtaking unforgettable compelling gripping tender
subtle remarkable impressive awesome solid sweet bravo flawless uplifting haunting
poignant engaging splendid marvelous magnificent exceptional pleasantly enchanting
witty thoughtful inspiring masterful timeless joy treat delight realistic
""".split()
_IMDB_NEGATIVE = """
bad worst waste awful terrible boring stupid poor horrible worse dull poorly
supposed lame mess ridiculous pathetic crap avoid badly pointless garbage annoying
disappointing disappointed unfunny mediocre weak cheap laughable predictable
tedious redeeming forgettable bland unwatchable atrocious insult wooden dreadful
embarrassing painful unconvincing incoherent amateurish nonsense silly sucks fails
dumb lousy worthless idiotic horrid boredom stinker trash drivel junk cliched
shallow irritating tiresome overrated bother ugh awfully miscast unbearable
plodding uninteresting implausible stupidity sloppy lifeless ludicrous abysmal
inept dire pretentious disjointed amateur rubbish unoriginal clumsy horrendous
""".split()
_REUTERS_COMMON = """
the of to in said and a mln 3 for vs dlrs it reuter 000 1 pct on from is that its
cts by at year be with 2 will was billion he u s net would an has as 5 4 not
company which but 0 this have 7 6 bank were are or had 8 also market 9 inc new up
corp last share one been about than they more other after two 10 march april
week first government dlr months told may could some 12 15 there 20 ltd group
billion's since price three expected 1987 1986 industry analysts 30 total added
sales end month per officials spokesman department major added countries under
their about 50 last 11 13 14 16 25 40 around plan both statement report based
current early higher lower rise fell rose compared however agreement level
""".split()
_REUTERS_TOPIC_NAMED = {
    "cocoa": "cocoa icco grindings beans ivory buffer",
    "grain": "grain corn tonnes crop harvest usda maize cereals",
    "veg-oil": "palm vegetable oils soyoil rapeseed olein",
    "earn": "shr qtr revs profit dividend payout div quarterly record avg shrs",
    "acq": "acquire acquisition merger stake takeover bid tender subsidiary buyout shares",
    "wheat": "wheat durum flour bushels winter",
    "copper": "copper smelter cathode mine codelco",
    "housing": "housing homes starts construction mortgage",
    "money-supply": "m1 m2 m3 supply deposits monetary",
    "coffee": "coffee ico quotas arabica robusta",
    "sugar": "sugar beet cane refined whites",
    "trade": "trade deficit surplus tariffs imports exports protectionism",
    "reserves": "reserves holdings drawdown central",
    "ship": "ship vessel port tanker shipping cargo gulf",
    "cotton": "cotton bales textile lint",
    "carcass": "beef meat carcass poultry",
    "crude": "crude barrels opec bpd petroleum oil output",
    "nat-gas": "natural cubic feet pipeline gas",
    "cpi": "inflation consumer cpi prices index",
    "money-fx": "currency exchange intervention stg mark dollar",
    "interest": "rate rates prime discount lending basis points",
    "gnp": "gnp gdp growth economy forecast",
    "meal-feed": "meal feed soymeal fishmeal pellets",
    "alum": "aluminium aluminum alcan ingot bauxite",
    "oilseed": "soybean soybeans oilseed sunflower canola seeds",
    "gold": "gold ounces ounce ore mine",
    "tin": "tin itc lme buffer",
    "strategic-metal": "cobalt platinum uranium tungsten palladium",
    "livestock": "cattle hogs livestock herd",
    "retail": "retail stores apparel sales",
    "ipi": "industrial production manufacturing output",
    "iron-steel": "steel iron mills tonnage usx",
    "rubber": "rubber latex inra",
    "heat": "heating fuel distillate propane",
    "jobs": "unemployment jobless employment workers labor",
    "lei": "leading indicators composite",
    "bop": "balance payments account current",
    "zinc": "zinc smelters galvanized",
    "orange": "orange juice concentrate fcoj frozen",
    "pet-chem": "chemical ethylene petrochemical plastics polyethylene",
    "dlr": "dollar yen bundesbank dealers",
    "gas": "gasoline unleaded octane refinery",
    "silver": "silver ounces bullion",
    "wpi": "wholesale wpi prices",
    "hog": "hog pork hogs pigs",
    "lead": "lead battery bullion",
}
# Topics that share vocabulary, so that small topics get confused with their
# relatives as in the real data.
_REUTERS_FAMILIES = (
    ("earn", "acq"),
    ("grain", "wheat", "meal-feed", "oilseed", "veg-oil", "cotton", "rubber", "orange",
     "cocoa", "coffee", "sugar"),
    ("carcass", "livestock", "hog"),
    ("crude", "nat-gas", "gas", "heat", "pet-chem", "ship"),
    ("copper", "alum", "gold", "tin", "strategic-metal", "iron-steel", "zinc", "silver",
     "lead"),
    ("money-fx", "interest", "dlr", "money-supply", "reserves"),
    ("trade", "bop", "gnp", "cpi", "wpi", "ipi", "lei", "jobs", "retail", "housing"),
)


# --------------------------------------------------------------- language ---
@dataclass(frozen=True)
class Language:
    """What stays fixed across seeds: who is where in the vocabulary and how they are used.

    ``named`` maps ranks (1-based) to the real words placed there; every other
    rank gets a pseudo-word. ``samplers`` are the word distributions documents
    draw from, as ``(ranks, cumulative probabilities)`` pairs.
    """

    vocab_size: int
    named: dict
    samplers: tuple
    groups: dict  # Reuters: sampler indices of each topic and family; IMDB: none


def _zipf(vocab_size: int) -> np.ndarray:
    """Background probability of every rank 1..vocab_size (index 0 is rank 1)."""
    f = (np.arange(1, vocab_size + 1) + ZIPF_SHIFT) ** -ZIPF_EXPONENT
    return f / f.sum()


def _sampler(ranks: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse-CDF sampler over ``ranks``; the last entry is exactly 1."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.asarray(ranks, dtype=np.int32), cdf / cdf[-1]


def _place(vocab_size: int, spread: list[tuple[list[str], int, int]], fill: list[str],
           rng: np.random.Generator) -> dict:
    """Rank -> word: ``fill`` words from rank 1 on, ``spread`` lists scattered over ranks.

    Each ``(words, low, high)`` entry puts its words, in order, at jittered
    ranks from ``low`` to ``high``, sparse at the top and denser further down
    (a handful in the top 100, most beyond 1,000, as in real text), moving on
    to the next free rank on a clash; then ``fill`` takes the free ranks from 1.
    """
    taken: dict[int, str] = {}
    used = set()
    for words, low, high in spread:
        words = [w for w in dict.fromkeys(words) if w not in used]
        q = np.linspace(0, 1, len(words)) ** SPREAD_SHAPE
        pos = low * (high / low) ** q * np.exp(rng.normal(0, 0.15, len(words)))
        for word, rank in zip(words, np.clip(np.rint(pos), low, vocab_size).astype(int)):
            while rank in taken:
                rank += 1
            taken[int(rank)] = word
            used.add(word)
    free = (r for r in range(1, vocab_size + 1) if r not in taken)
    for word in dict.fromkeys(fill):
        if word not in used:
            taken[next(free)] = word
            used.add(word)
    return taken


def _by_frequency(lang: Language, plan, counts) -> Language:
    """``lang`` with ranks relabelled so that rank 1 is the most frequent word.

    Expected frequencies come from the samplers' probabilities weighted by how
    much documents use each sampler (``plan`` on labels in proportion to
    ``counts``), so the word index is ordered the way Keras's real ones are.
    """
    rng = np.random.default_rng(_LANGUAGE_SEED + 2)
    choices, shares = plan(rng, _balanced(rng, _shares(20_000, counts)), lang.groups)
    usage = np.bincount(choices.ravel(), weights=shares.ravel(), minlength=len(lang.samplers))
    freq = np.zeros(lang.vocab_size + 1)
    for (ranks, cdf), weight in zip(lang.samplers, usage):
        np.add.at(freq, ranks, weight * np.diff(cdf, prepend=0.0))
    freq[0] = np.inf  # index 0 is no word; it stays first
    new = np.empty(lang.vocab_size + 1, dtype=np.int32)
    new[np.argsort(-freq, kind="stable")] = np.arange(lang.vocab_size + 1)
    return Language(lang.vocab_size, {int(new[r]): w for r, w in lang.named.items()},
                    tuple((new[ranks], cdf) for ranks, cdf in lang.samplers), lang.groups)


@functools.lru_cache(maxsize=None)
def _imdb_language() -> Language:
    """IMDB: word odds tilted by a review's sentiment strength t in [-1, 1].

    p(word | t) ~ zipf(rank) * exp(t * beta(word)); beta is strong and of the
    right sign for the named sentiment words, small and random for a share
    of the other ranks (names, topics... that lean one way in real reviews).
    One sampler per level of t.
    """
    rng = np.random.default_rng(_LANGUAGE_SEED)
    n = IMDB_VOCAB
    pos, neg = _IMDB_POSITIVE, _IMDB_NEGATIVE
    named = _place(n, [(_interleave(pos, neg), 45, 9_000)], _IMDB_COMMON, rng)
    beta = np.zeros(n + 1)
    lean = rng.random(n + 1) < IMDB_SENTIMENT["pseudo_share"]
    lean[:200] = False
    beta[lean] = rng.normal(0, IMDB_SENTIMENT["pseudo"], lean.sum())
    polarity = {w: 1.0 for w in pos} | {w: -1.0 for w in neg}
    for rank, word in named.items():
        beta[rank] = polarity.get(word, 0.0) * IMDB_SENTIMENT["named"] * rng.uniform(0.6, 1.2)
    ranks, f = np.arange(1, n + 1), _zipf(n)
    samplers = tuple(_sampler(ranks, f * np.exp(t * beta[1:]))
                     for t in np.linspace(-1, 1, IMDB_LEVELS))
    return _by_frequency(Language(n, named, samplers, {}), _imdb_plan, [1, 1])


def _interleave(a: list, b: list) -> list:
    """a[0], b[0], a[1], b[1], ...: positive and negative words at matching ranks."""
    return [w for pair in itertools.zip_longest(a, b) for w in pair if w is not None]


@functools.lru_cache(maxsize=None)
def _reuters_language() -> Language:
    """Reuters: samplers for the background, each topic's words and each family's words.

    Topic and family words are the named ones plus pseudo-words at random
    ranks, most inside the top 10,000 (log-uniform), weighted by a flattened
    background frequency so that frequent topic words stay frequent.
    """
    rng = np.random.default_rng(_LANGUAGE_SEED + 1)
    n = REUTERS_VOCAB
    topic_named = [_REUTERS_TOPIC_NAMED[t].split() for t in REUTERS_TOPICS]
    named = _place(n, [(sum(topic_named, []), 40, 6_000)], _REUTERS_COMMON, rng)
    rank_of = {w: r for r, w in named.items()}
    f = _zipf(n)
    free = np.setdiff1d(np.arange(300, n + 1), list(named))
    pick = free ** -1.0 / np.sum(free ** -1.0)

    def words(named_words: list, n_extra: int, boost: float):
        ranks = np.concatenate([[rank_of[w] for w in named_words],
                                rng.choice(free, n_extra, replace=False, p=pick)])
        weights = f[ranks - 1] ** 0.5
        weights[:len(named_words)] *= boost
        return _sampler(ranks, weights)

    samplers = [_sampler(np.arange(1, n + 1), f)]
    samplers += [words(w, REUTERS_TOPIC_WORDS, REUTERS_NAMED_BOOST) for w in topic_named]
    samplers += [words([w for t in family for w in _REUTERS_TOPIC_NAMED[t].split()],
                       REUTERS_FAMILY_WORDS, 1.0) for family in _REUTERS_FAMILIES]
    members = [[REUTERS_TOPICS.index(t) for t in family] for family in _REUTERS_FAMILIES]
    family_of = np.zeros(len(REUTERS_TOPICS), dtype=np.int64)
    for i, ids in enumerate(members):
        family_of[ids] = i
    groups = {"topic": 1 + np.arange(len(REUTERS_TOPICS)),
              "family": 1 + len(REUTERS_TOPICS) + np.arange(len(members)),
              "family_of": family_of,
              "members": [np.array(ids) for ids in members]}
    return _by_frequency(Language(n, named, tuple(samplers), groups), _reuters_plan,
                         REUTERS_TOPIC_COUNTS)


def _language(dataset: str) -> Language:
    return {"imdb": _imdb_language, "reuters": _reuters_language}[_check(dataset)]()


def _check(dataset: str) -> str:
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, not {dataset!r}")
    return dataset


# -------------------------------------------------------------- pseudo-words ---
_ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr ch sh th".split()
_VOWELS = "a e i o u a e i o ai ea ou".split()
_CODAS = [""] * 6 + "n r s t l m nd st".split()


def _pseudo_words(count: int, rng: np.random.Generator, avoid: set) -> list[str]:
    """``count`` distinct pronounceable words (consonant-vowel syllables), none in ``avoid``."""
    words: dict[str, None] = {}
    while len(words) < count:
        m = 2 * (count - len(words)) + 100
        n_syl = rng.choice([2, 2, 3, 3, 4], m)
        parts = [rng.choice(_ONSETS, (m, 4)), rng.choice(_VOWELS, (m, 4))]
        codas = rng.choice(_CODAS, m)
        for k, o, v, c in zip(n_syl, parts[0], parts[1], codas):
            word = "".join(a + b for a, b in zip(o[:k], v[:k])) + c
            if word not in avoid:
                words.setdefault(word)
    return list(words)[:count]


def make_word_index(dataset: str, seed: int = WORD_INDEX_SEED) -> dict:
    """The synthetic word index ``{word: rank}``, ranks 1..N, most frequent first.

    The real words sit at the same ranks for every seed (the language is
    fixed); ``seed`` only spells the pseudo-words that fill the other ranks.
    """
    lang = _language(dataset)
    rng = np.random.default_rng(seed)
    named = lang.named
    fill = iter(_pseudo_words(lang.vocab_size - len(named), rng, set(named.values())))
    return {named[r] if r in named else next(fill): r for r in range(1, lang.vocab_size + 1)}


# -------------------------------------------------------------- documents ---
def _lengths(rng: np.random.Generator, n: int, median: float, sigma: float,
             low: int, high: int) -> np.ndarray:
    """Log-normal document lengths, clipped like the real corpora's shortest and longest."""
    return np.clip(np.rint(rng.lognormal(np.log(median), sigma, n)), low, high).astype(np.int64)


def _draw(rng: np.random.Generator, sampler_of_token: np.ndarray, samplers: tuple) -> np.ndarray:
    """One word rank per token, each from its own sampler (grouped, so it stays vectorised)."""
    order = np.argsort(sampler_of_token, kind="stable")
    bounds = np.searchsorted(sampler_of_token[order], np.arange(len(samplers) + 1))
    out = np.empty(len(sampler_of_token), dtype=np.int32)
    for s, (ranks, cdf) in enumerate(samplers):
        where = order[bounds[s]:bounds[s + 1]]
        idx = np.searchsorted(cdf, rng.random(len(where)), side="right")
        out[where] = ranks[np.minimum(idx, len(ranks) - 1)]
    return out


def _balanced(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Shuffled labels with exactly ``counts[c]`` of class c."""
    return rng.permutation(np.repeat(np.arange(len(counts)), counts)).astype(np.int64)


def _shares(total: int, weights) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` (largest remainders), summing exactly."""
    exact = np.asarray(weights, dtype=np.float64) * total / np.sum(weights)
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[:total - counts.sum()]] += 1
    return counts


def _imdb_plan(rng: np.random.Generator, y: np.ndarray, groups: dict) -> tuple:
    """Each review's sampler: the level of its sentiment strength.

    Label 1 reviews are mostly clearly positive, some lukewarm, a few say the
    opposite (IMDB_MOODS); label 0 mirrors them.
    """
    moods = np.array(list(IMDB_MOODS.values()))
    kind = rng.choice(len(moods), len(y), p=moods[:, 0])
    t = np.clip((2 * y - 1) * (moods[kind, 1] + moods[kind, 2] * rng.standard_normal(len(y))),
                -1, 1)
    level = np.rint((t + 1) / 2 * (IMDB_LEVELS - 1)).astype(np.int64)
    return level[:, None], np.ones((len(y), 1))


def _reuters_plan(rng: np.random.Generator, y: np.ndarray, groups: dict) -> tuple:
    """Each newswire's samplers and token shares: own topic, family, another topic, background.

    Some newswires are vague (small own share), some are partly about another
    topic, and a few are written in a sibling topic's words (label noise).
    """
    n = len(y)
    mix = REUTERS_MIX
    own = rng.beta(*mix["topic"], n)
    family = np.minimum(mix["family"], 1 - own)
    other = np.where(rng.random(n) < mix["other_share"], mix["other"] * rng.random(n), 0.0)
    other = np.minimum(other, 1 - own - family)
    second = rng.choice(len(REUTERS_TOPICS), n, p=np.divide(REUTERS_TOPIC_COUNTS,
                                                             sum(REUTERS_TOPIC_COUNTS)))
    voice = np.where(rng.random(n) < mix["stray"], _sibling(rng, y, groups), y)
    choices = np.stack([groups["topic"][voice], groups["family"][groups["family_of"][y]],
                        groups["topic"][second], np.zeros(n, dtype=np.int64)], axis=1)
    return choices, np.stack([own, family, other, 1 - own - family - other], axis=1)


def _sibling(rng: np.random.Generator, y: np.ndarray, groups: dict) -> np.ndarray:
    """A random topic of the same family as each of ``y`` (possibly itself)."""
    out = np.empty_like(y)
    for f, ids in enumerate(groups["members"]):
        mine = groups["family_of"][y] == f
        out[mine] = rng.choice(ids, mine.sum())
    return out


_PLANS = {"imdb": (_imdb_plan, IMDB_LENGTH), "reuters": (_reuters_plan, REUTERS_LENGTH)}


def _documents(rng: np.random.Generator, dataset: str, y: np.ndarray) -> tuple:
    """Documents for labels ``y`` as (flat word ranks, lengths).

    Each token picks one of its document's samplers with the document's
    shares, then a word from that sampler.
    """
    lang = _language(dataset)
    plan, length = _PLANS[dataset]
    choices, shares = plan(rng, y, lang.groups)
    lengths = _lengths(rng, len(y), **length)
    doc = np.repeat(np.arange(len(y)), lengths)
    cuts = np.cumsum(shares[:, :-1], axis=1)
    part = (rng.random(len(doc))[:, None] >= cuts[doc]).sum(axis=1)
    return _draw(rng, choices[doc, part], lang.samplers), lengths


# ------------------------------------------------------------- sequences ---
@dataclass(frozen=True)
class Ragged:
    """Many int sequences stored flat: all values in a row, plus each sequence's length.

    The files hold object arrays of Python lists; one flat array keeps
    generation and Keras's processing vectorised (no per-token Python loops).
    """

    flat: np.ndarray
    lengths: np.ndarray

    @classmethod
    def from_objects(cls, x) -> "Ragged":
        lengths = np.fromiter(map(len, x), dtype=np.int64, count=len(x))
        flat = np.fromiter(itertools.chain.from_iterable(x), dtype=np.int64,
                           count=int(lengths.sum()))
        return cls(flat, lengths)

    @classmethod
    def concat(cls, parts: list) -> "Ragged":
        return cls(np.concatenate([p.flat for p in parts]),
                   np.concatenate([p.lengths for p in parts]))

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def starts(self) -> np.ndarray:
        return np.cumsum(self.lengths) - self.lengths

    def take(self, idx) -> "Ragged":
        """The sequences ``idx``, in that order (a shuffle or a subset)."""
        lengths = self.lengths[idx]
        shift = self.starts[idx] - (np.cumsum(lengths) - lengths)
        return Ragged(self.flat[np.arange(lengths.sum()) + np.repeat(shift, lengths)], lengths)

    def keep_values(self, mask: np.ndarray) -> "Ragged":
        """Drop the values where ``mask`` is False; sequences get shorter."""
        owner = np.repeat(np.arange(len(self)), self.lengths)
        return Ragged(self.flat[mask], np.bincount(owner[mask], minlength=len(self)))

    def lists(self) -> list:
        values, ends = self.flat.tolist(), np.cumsum(self.lengths).tolist()
        return [values[s:e] for s, e in zip([0] + ends[:-1], ends)]

    def to_objects(self) -> np.ndarray:
        """The files' layout: a 1-D object array of Python lists of ints."""
        out = np.empty(len(self), dtype=object)
        for i, seq in enumerate(self.lists()):
            out[i] = seq
        return out


SIZES = {"imdb": (25_000, 25_000), "reuters": (11_228,)}


def _generate(dataset: str, seed: int, sizes: tuple) -> dict:
    """Raw synthetic arrays (Ragged x, int64 y) under the npz's keys."""
    rng = np.random.default_rng(seed)
    keys = NPZ_KEYS[dataset]
    counts = [1, 1] if dataset == "imdb" else REUTERS_TOPIC_COUNTS
    out = {}
    for xk, yk, n in zip(keys[::2], keys[1::2], sizes):
        y = _balanced(rng, _shares(n, counts))
        out[xk], out[yk] = Ragged(*_documents(rng, dataset, y)), y
    return out


def _file_arrays(raw: dict) -> dict:
    return {k: v.to_objects() if isinstance(v, Ragged) else v for k, v in raw.items()}


def make_imdb(seed: int, n_train: int = 25_000, n_test: int = 25_000) -> dict:
    """Synthetic IMDB in the raw ``imdb.npz`` layout: x_train, y_train, x_test, y_test.

    Labels are balanced in each split (to one review when a size is odd).
    """
    return _file_arrays(_generate("imdb", seed, (n_train, n_test)))


def make_reuters(seed: int, n: int = 11_228) -> dict:
    """Synthetic Reuters in the raw ``reuters.npz`` layout: x, y (46 topics, real proportions)."""
    return _file_arrays(_generate("reuters", seed, (n,)))


# ------------------------------------------------------------- processing ---
def _offset(x: Ragged, start_char, index_from) -> Ragged:
    """Keras's ``[start_char] + [w + index_from for w in x]`` (or without the start mark)."""
    if start_char is not None:
        return Ragged(np.insert(x.flat + index_from, x.starts, start_char), x.lengths + 1)
    return Ragged(x.flat + index_from, x.lengths) if index_from else x


def process(parts: list, *, seed: int = 113, start_char=1, oov_char=2, index_from=3,
            num_words=None, skip_top: int = 0, maxlen=None,
            require_each: bool = False) -> tuple[list, np.ndarray, list]:
    """Keras's processing of raw splits: (sequences, labels, sequences kept per part).

    ``parts`` is a list of raw ``(x, y)`` splits, x an object array of lists
    (or a :class:`Ragged`): IMDB passes train and test, shuffled one after the
    other by one RandomState; Reuters passes the whole set. Then, as Keras
    does: prepend ``start_char`` and add ``index_from``; drop sequences not
    shorter than ``maxlen`` (with ``require_each``, an empty part is an error);
    join the parts; with no ``num_words`` take the largest index (which Keras
    then also treats as out of range); replace by ``oov_char`` (or drop, if
    it is None) indices outside ``[skip_top, num_words)``. The caller splits.
    """
    rng = np.random.RandomState(seed)
    done = []
    for x, y in parts:
        x = x if isinstance(x, Ragged) else Ragged.from_objects(x)
        order = np.arange(len(x))
        rng.shuffle(order)
        x, y = _offset(x.take(order), start_char, index_from), np.asarray(y)[order]
        if maxlen:
            keep = np.flatnonzero(x.lengths < maxlen)
            x, y = x.take(keep), y[keep]
        if maxlen and not len(y) and (require_each or len(parts) == 1):
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             f"no sequence was kept. Increase maxlen.")
        done.append((x, y))
    x = Ragged.concat([d[0] for d in done])
    if not num_words:
        num_words = x.flat.max()
    inside = (skip_top <= x.flat) & (x.flat < num_words)
    if oov_char is not None:
        x = Ragged(np.where(inside, x.flat, oov_char), x.lengths)
    else:
        x = x.keep_values(inside)
    return x.lists(), np.concatenate([d[1] for d in done]), [len(d[1]) for d in done]


# -------------------------------------------------------------- file I/O ---
_PICKLE_GLOBALS = {("numpy", "ndarray"), ("numpy", "dtype"),
                   ("numpy.core.multiarray", "_reconstruct"),
                   ("numpy._core.multiarray", "_reconstruct")}
_READ_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, TypeError,
                pickle.UnpicklingError)


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else, as Keras does: a tampered file can't run code."""

    def find_class(self, module, name):
        if (module, name) in _PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def _read_member(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    fp = io.BytesIO(archive.read(f"{key}.npy"))
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:  # an object array: a pickle stream after the header
        fp.seek(0)
        major, _ = np.lib.format.read_magic(fp)
        (np.lib.format.read_array_header_1_0 if major == 1
         else np.lib.format.read_array_header_2_0)(fp)
        return _ArrayUnpickler(fp).load()


def _bad(path: Path, problem: str):
    return bad_file(path, problem, Path(path).name)


def _open_npz(path: Path, keys: tuple) -> dict:
    """The arrays ``keys`` of an npz (absent keys are left out); DataFileError if unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {m[:-4] for m in archive.namelist() if m.endswith(".npy")}
            return {k: _read_member(archive, k) for k in keys if k in names} | {
                "__names__": sorted(names)}
    except _READ_ERRORS as exc:
        raise _bad(path, f"not a readable .npz archive ({type(exc).__name__}: {exc})") from exc


def _npz_is_synthetic(path: Path) -> bool:
    """True if the kit wrote ``path`` (it has ``__source__ = "synthetic"``)."""
    return str(_open_npz(path, (NPZ_TAG_KEY,)).get(NPZ_TAG_KEY)) == SYNTHETIC_TAG


def read_npz(path: Path, keys: tuple) -> dict:
    """The arrays ``keys`` of a course npz, checked; x values come back as :class:`Ragged`."""
    path = Path(path)
    arrays = _open_npz(path, keys)
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise _bad(path, f"missing array(s) {missing}; found {arrays['__names__']}")
    for xk, yk in zip(keys[::2], keys[1::2]):
        _check_pair(path, xk, arrays[xk], yk, arrays[yk])
        try:
            arrays[xk] = Ragged.from_objects(arrays[xk])
        except (TypeError, ValueError, OverflowError) as exc:
            raise _bad(path, f"{xk} holds something other than lists of ints ({exc})") from exc
    return {k: arrays[k] for k in keys}


def _check_pair(path: Path, xk: str, x, yk: str, y) -> None:
    """DataFileError unless x/y have the Keras layout (element types checked on a sample)."""
    if not (isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype == object):
        raise _bad(path, f"{xk} should be a 1-D object array of word-index lists, found "
                         f"{getattr(x, 'dtype', type(x))} {getattr(x, 'shape', '')}")
    if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu"):
        raise _bad(path, f"{yk} should be a 1-D integer array, found "
                         f"{getattr(y, 'dtype', type(y))} {getattr(y, 'shape', '')}")
    if len(x) != len(y):
        raise _bad(path, f"{xk} has {len(x)} sequences but {yk} has {len(y)} labels")
    for i in np.unique(np.linspace(0, len(x) - 1, min(len(x), 50)).astype(int)):
        seq = x[i]
        if not isinstance(seq, (list, tuple, np.ndarray)) or not all(
                isinstance(w, (int, np.integer)) and w >= 0 for w in seq):
            raise _bad(path, f"{xk}[{i}] should be a list of non-negative ints, found "
                             f"{type(seq).__name__} {str(seq)[:60]}")


def _write_atomic(path: Path, write) -> None:
    """Write through ``write(file)`` into ``<name>.tmp``, then rename: never a half file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_npz(path: Path, arrays: dict) -> None:
    """Save file-layout ``arrays`` as a kit-written npz (tagged synthetic)."""
    tagged = dict(arrays, **{NPZ_TAG_KEY: np.array(SYNTHETIC_TAG)})
    _write_atomic(Path(path), lambda fh: np.savez_compressed(fh, **tagged))


def write_word_index(path: Path, index: dict) -> None:
    """Save a kit-written word index: the tag key first, then the words."""
    text = json.dumps({JSON_TAG_KEY: 0, **index})
    _write_atomic(Path(path), lambda fh: fh.write(text.encode()))


def read_word_index(path: Path) -> tuple[dict, str]:
    """({word: rank}, 'real' | 'synthetic') from a word index file, checked."""
    path = Path(path)
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"not a readable JSON word index ({exc})") from exc
    if not isinstance(index, dict):
        raise _bad(path, f"expected a JSON object {{word: rank}}, found {type(index).__name__}")
    source = SYNTHETIC_TAG if index.pop(JSON_TAG_KEY, None) == 0 else "real"
    bad = [(k, v) for k, v in index.items() if type(v) is not int]
    if bad or not index:
        raise _bad(path, f"expected {{word: integer rank}}, found e.g. {bad[:3] or 'no words'}")
    return index, source


# ---------------------------------------------------------------- sources ---
@dataclass(frozen=True)
class Source:
    """Which file serves ``filename``: kind 'real' or 'synthetic'; path None = in memory."""

    kind: str
    filename: str
    path: Path | None

    def describe(self, name: str) -> str:
        if self.kind == "real":
            return msg("data.text_real", name=name, path=show_path(self.path))
        if self.path is not None:
            return msg("data.text_synthetic_file", name=name, path=show_path(self.path))
        return msg("data.text_synthetic_memory", name=name,
                   path=show_path(data_dir() / self.filename), how=write_hint())




def find_source(filename: str, folder=None) -> Source:
    """The file to read for ``filename``: the first real one, else the first kit-written one.

    Looks in ``folder`` (default: the data folder), then the Keras cache. An
    unreadable candidate raises DataFileError rather than being skipped.
    """
    synthetic = None
    for path in (d / filename for d in (data_dir(folder), keras_cache_dir())):
        if not path.is_file():
            continue
        if filename.endswith(".npz"):
            is_synthetic = _npz_is_synthetic(path)
        else:
            is_synthetic = read_word_index(path)[1] == SYNTHETIC_TAG
        if not is_synthetic:
            return Source("real", filename, path)
        synthetic = synthetic or path
    return Source(SYNTHETIC_TAG, filename, synthetic)


def imdb_source(folder=None) -> str:
    """'real' or 'synthetic': which IMDB :func:`load_imdb` would use (to pick thresholds)."""
    return find_source("imdb.npz", folder).kind


def reuters_source(folder=None) -> str:
    """'real' or 'synthetic': which Reuters :func:`load_reuters` would use."""
    return find_source("reuters.npz", folder).kind


@functools.lru_cache(maxsize=2)
def _generated(dataset: str, seed: int, sizes: tuple) -> dict:
    """The public stand-in, generated once per process (compact: ~50 MB for IMDB)."""
    return _generate(dataset, seed, sizes)


def _raw(dataset: str, folder, verbose: bool) -> dict:
    """The raw arrays of ``dataset`` from the chosen source, announcing the source."""
    source = find_source(f"{dataset}.npz", folder)
    if verbose:
        print(source.describe(NAMES[dataset]))
    if source.path is None:
        return _generated(dataset, PUBLIC_SEEDS[dataset], tuple(SIZES[dataset]))
    return read_npz(source.path, NPZ_KEYS[dataset])


# ---------------------------------------------------------------- loaders ---
def _split(sequences: list, labels: np.ndarray, cut: int) -> tuple:
    """Keras's return value: object arrays of lists and label arrays, cut at ``cut``."""
    return ((np.array(sequences[:cut], dtype="object"), np.array(labels[:cut])),
            (np.array(sequences[cut:], dtype="object"), np.array(labels[cut:])))


def load_imdb(num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, folder=None, verbose=True):
    """Like ``keras.datasets.imdb.load_data``, offline: ((x_train, y_train), (x_test, y_test)).

    Same arguments and identical arrays for the same file; ``folder`` adds a
    place to look first and ``verbose=False`` silences the source line.
    """
    raw = _raw("imdb", folder, verbose)
    sequences, labels, kept = process(
        [(raw["x_train"], raw["y_train"]), (raw["x_test"], raw["y_test"])], seed=seed,
        start_char=start_char, oov_char=oov_char, index_from=index_from,
        num_words=num_words, skip_top=skip_top, maxlen=maxlen, require_each=True)
    return _split(sequences, labels, kept[0])


def load_reuters(num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
                 start_char=1, oov_char=2, index_from=3, folder=None, verbose=True):
    """Like ``keras.datasets.reuters.load_data``, offline: same arguments, identical arrays."""
    raw = _raw("reuters", folder, verbose)
    sequences, labels, _ = process(
        [(raw["x"], raw["y"])], seed=seed, start_char=start_char, oov_char=oov_char,
        index_from=index_from, num_words=num_words, skip_top=skip_top, maxlen=maxlen)
    return _split(sequences, labels, int(len(sequences) * (1 - test_split)))


def get_word_index(dataset: str, folder=None, verbose: bool = True) -> dict:
    """``{word: rank}`` of ``dataset`` ('imdb' or 'reuters'), real or synthetic."""
    source = find_source(f"{_check(dataset)}_word_index.json", folder)
    if verbose:
        print(source.describe(msg("data.word_index", name=NAMES[dataset])))
    if source.path is None:
        return make_word_index(dataset)
    return read_word_index(source.path)[0]


def write_synthetic_text(folder=None) -> list[Path]:
    """``make data``: write each missing text file (npz and word index) as its stand-in.

    Existing files are left alone: they may be real ones copied in.
    """
    folder = data_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in DATASETS:
        path = folder / f"{dataset}.npz"
        if not path.exists():
            raw = _generate(dataset, PUBLIC_SEEDS[dataset], tuple(SIZES[dataset]))
            write_npz(path, _file_arrays(raw))
            written.append(path)
        path = folder / f"{dataset}_word_index.json"
        if not path.exists():
            write_word_index(path, make_word_index(dataset))
            written.append(path)
    return written


if __name__ == "__main__":
    for p in write_synthetic_text():
        print(msg("data.wrote", path=show_path(p)))
