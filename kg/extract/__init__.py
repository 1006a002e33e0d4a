"""Extraction of organizations and links from one cleaned article (a pure function).

>>> extract("甲县边检站与乙县海关结对共建。")["relations"][0]["type"]
'joint_building'
"""

from kg.extract.lexicon import load_lexicon
from kg.extract.pipeline import extract

# Bump the code part when the output can change; the lexicon part follows the lexicon file.
EXTRACTOR_VERSION = f"1.2+{load_lexicon().digest}"

__all__ = ["extract", "EXTRACTOR_VERSION"]
