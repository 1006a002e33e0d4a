"""Extraction of organizations and links from one cleaned article (a pure function).

``extract(text, doc)`` returns the gold format of ``shared/gold/SCHEMA.md``.
How it works, one module a step:

- ``lexicon``: ``ontology/lexicon.yaml`` compiled once (suffixes per class,
  boundary words, cue words per relation, anaphora) plus the place list of cpca;
- ``names``: unit mentions from the grammar of names ([place/name] + suffix,
  nested units, Party organizations of units, quoted alliances, named groups);
- ``subunits``: bare sub-units listed after 下辖 / 下设 … (执勤一队、综合科) named by their unit;
- ``lists``: coordinated lists sharing a suffix or a place (泰州、温州边检站;
  铜陵海关、海事、公安 → implicit 铜陵海事 and 铜陵公安);
- ``implicit``: bare 市委 / 旗委、政府 named after the place of the paragraph;
- ``entities``: one entity per organization, short forms as aliases;
- ``anaphora``: 该站 / 该所 / 站里 … to the nearest compatible antecedent;
- ``relations``: links from connectors, cue words, alliances and hierarchy;
- ``pipeline``: the steps in order.
- ``blocks``: a text over 200,000 characters extracted block by block, results merged
  (bounded memory; shorter texts are extracted whole).

>>> extract("东兴边检站与东兴海关结对共建。")["relations"][0]["type"]
'joint_building'
"""

from kg.extract.lexicon import load_lexicon
from kg.extract.pipeline import extract

# Bump the code part when the output can change; the lexicon part follows the lexicon file.
EXTRACTOR_VERSION = f"2.6+{load_lexicon().digest}"

__all__ = ["extract", "EXTRACTOR_VERSION"]
