"""The maintainer's runs: ``demo`` (``make demo``), ``samples`` (the sample
classes), ``bench`` and ``scale`` (``make bench``), ``reliability``."""
