"""Source strategy labels mapped onto warmline's strategy taxonomy (data/labels/strategy.yaml).

A turn keeps the source's own label in `turn.meta` and gets the taxonomy key in `turn.strategy`, so
corpora labelled in different schemes can be counted and learned from together. A label with no entry
here is kept as it is in `turn.strategy`.

ESConv's eight strategies are the taxonomy's categories one for one.

AnnoMI's therapist behaviours (main_therapist_behaviour) map as follows; the reasons:
- question -> question;
- reflection -> reflection_of_feelings: in MI a reflection mirrors what the client said and meant,
  which the taxonomy splits into restatement and reflection of feelings; AnnoMI's simple file does not
  say which, and its full file's finer `reflection_subtype` (simple / complex) is kept in meta. Complex
  reflections add meaning, as reflections of feeling do; simple ones map to restatement;
- therapist_input -> information: AnnoMI's therapist input is giving information, advice, options or
  negotiating goals; its full file's `therapist_input_subtype` says which, and `advice` / `options`
  map to providing_suggestions;
- other -> others.
Client talk types (change, neutral, sustain) are client labels, kept in meta only.
"""

from __future__ import annotations

ESCONV = {
    "question": "question",
    "restatement or paraphrasing": "restatement",
    "reflection of feelings": "reflection_of_feelings",
    "self-disclosure": "self_disclosure",
    "affirmation and reassurance": "affirmation_reassurance",
    "providing suggestions": "providing_suggestions",
    "information": "information",
    "others": "others",
}
ESCONV_NAMES = {
    "question": "Question",
    "restatement": "Restatement or Paraphrasing",
    "reflection_of_feelings": "Reflection of feelings",
    "self_disclosure": "Self-disclosure",
    "affirmation_reassurance": "Affirmation and Reassurance",
    "providing_suggestions": "Providing Suggestions",
    "information": "Information",
    "others": "Others",
}

ANNOMI = {
    "question": "question",
    "reflection": "reflection_of_feelings",
    "therapist_input": "information",
    "other": "others",
}
ANNOMI_SUBTYPES = {
    "simple": "restatement",
    "complex": "reflection_of_feelings",
    "advice": "providing_suggestions",
    "options": "providing_suggestions",
    "information": "information",
    "negotiation": "information",
}


def esconv_key(label: str) -> str:
    """The taxonomy key for an ESConv strategy name (any case), or the name itself when unknown."""
    return ESCONV.get(label.strip().lower(), label)


def esconv_name(key: str) -> str:
    """ESConv's name for a taxonomy key (for writing ESConv), or the key itself when it has none."""
    return ESCONV_NAMES.get(key, key)


def annomi_key(behaviour: str, subtype: str = "") -> str | None:
    """The taxonomy key for an AnnoMI therapist behaviour, refined by its subtype when the full file
    gives one; None for an empty or "n/a" behaviour."""
    b = behaviour.strip().lower().replace(" ", "_")
    if not b or b in ("n/a", "na", "nan"):
        return None
    sub = subtype.strip().lower()
    if b in ("reflection", "therapist_input") and sub in ANNOMI_SUBTYPES:
        return ANNOMI_SUBTYPES[sub]
    return ANNOMI.get(b, behaviour.strip())
