"""Language codes as sources write them (en, eng, eng-Latn, EN) -> one key and a name.

Cards use ISO 639-1 ("en"), MTEB ISO 639-3 with a script ("eng-Latn"): the filter and
the encoder input must see them as one language.
"""

from __future__ import annotations

import re

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "ms": "Malay", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese", "code": "code", "multilingual": "multilingual",
}

# ISO 639-3 codes (as MTEB writes them, "rus-Cyrl") for the languages named above.
_ISO3_TO_1 = {
    "ara": "ar", "bul": "bg", "ben": "bn", "cat": "ca", "ces": "cs", "dan": "da", "deu": "de", "ell": "el",
    "eng": "en", "spa": "es", "est": "et", "fas": "fa", "fin": "fi", "fra": "fr", "heb": "he", "hin": "hi",
    "hrv": "hr", "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kor": "ko", "lit": "lt", "lav": "lv",
    "msa": "ms", "zsm": "ms", "nld": "nl", "nor": "no", "nob": "no", "pol": "pl", "por": "pt", "ron": "ro",
    "rus": "ru", "slk": "sk", "slv": "sl", "srp": "sr", "swe": "sv", "swa": "sw", "tam": "ta", "tel": "te",
    "tha": "th", "tur": "tr", "ukr": "uk", "urd": "ur", "vie": "vi", "zho": "zh", "cmn": "zh",
}
_SCRIPT_SUFFIX = re.compile(r"^([a-z]{2,3})[-_][A-Z][a-z]{3}$")


def language_key(code: str) -> str:
    """One key per language, whatever the source wrote: "EN", "eng", "eng-Latn" -> "en".

    ISO 639-1 where the language has one in the table above, else the code lowercased
    (without a script suffix).
    """
    code = code.strip()
    match = _SCRIPT_SUFFIX.match(code)
    key = (match.group(1) if match else code).lower()
    return _ISO3_TO_1.get(key, key)


def language_name(code: str) -> str:
    """English name of a language code ("ru", "rus", "rus-Cyrl" -> "Russian"); else the code."""
    return LANGUAGE_NAMES.get(language_key(code), code)
