"""Rules for what people say with words: licenses, lineage, zoos, formats, size words, kinds, languages, tasks.

Hard constraints (license, zoo, format, lineage, kind, size) filter like the flags they
stand for. Tasks, languages, modality and vague size words are preferred: most cards
state none of them, and zoos name one task several ways (OpenVINO 'detection' is the
Hub's 'object-detection'), so they leave no asset out; the assets whose metadata
confirms them rank higher, and task, language and modality words stay in the text.
"""

from __future__ import annotations

import re

from assetscout.catalog.languages import LANGUAGE_NAMES
from assetscout.search.interpret.lexicon import (ACCESS, AGENT_NOUNS, AMBIGUOUS_LANGUAGE_WORDS, COMMERCIAL_OK,
                                                 DATASET_WORDS, ORGANIZATION_ALIASES,
                                                 EDGE_PHRASES, FORMATS, LICENSES, MAKE_VERBS, MODALITIES, MODEL_WORDS,
                                                 MULTILINGUAL, NONCOMMERCIAL, NONCOMMERCIAL_FINE, SIZE_WORDS,
                                                 MODALITY_TASKS, TABLE_WORDS, TASK_PHRASES, VAGUE_TASKS, ZOOS)
from assetscout.search.interpret.scan import B, E, Constraint, Scan
from assetscout.search.interpret.vocabulary import phrase_key

_LANGUAGES = {name.lower(): code for code, name in LANGUAGE_NAMES.items() if code not in ("code", "multilingual")}


def kind(scan: Scan) -> None:
    """'... dataset', 'models for ...', 'an object detector': what kind of asset is wanted (the first one said)."""
    found: list[tuple[int, int, str, bool]] = []
    for words, k in ((MODEL_WORDS, "model"), (DATASET_WORDS, "dataset"), (TABLE_WORDS, "table")):
        for w in words:
            for m in scan.finditer(B + re.escape(w) + E):
                before = _object_of(scan.words_before(m.start(), 4))
                if before and (before in MAKE_VERBS or before.rstrip("sd") in MAKE_VERBS):
                    continue  # 'I want to train a model for ...': what they will build, not what they look for
                if k == "dataset" and before in ("on", "with", "using", "from"):
                    continue  # 'a model trained on a Korean dataset'
                pure = w not in ("classifier", "classifiers", "detector", "detectors", "segmenter", "tagger",
                                 "recognizer", "transformer", "transformers", "encoder", "encoders", "network",
                                 "networks")
                found.append((m.start(), m.end(), k, pure))
    if not found:
        return
    start, end, k, pure = min(found)
    scan.kind = k
    c = Constraint("kind", "kind", k, f"kind: {k}", scan.source(start, end), start, end)
    if pure:
        scan.add(c)
        scan.kind_span = (start, end)
    else:  # 'detector' says model and also the task: the word stays for the task rule
        scan.constraints.append(c)


_MODIFIERS = {"a", "an", "the", "my", "our", "new", "novel", "deep", "custom", "own", "large", "big", "simple",
              "neural", "good", "better", "single", "multilingual", "korean", "english", "small", "some"}


def _object_of(before: list[str]) -> str | None:
    """The word a noun phrase hangs on: 'train a deep model' -> 'train' (determiners and adjectives skipped)."""
    for word in reversed(before):
        if word not in _MODIFIERS:
            return word
    return None


def licenses(scan: Scan) -> None:
    for m in list(scan.finditer(B + f"(?:{NONCOMMERCIAL_FINE})" + E)):
        if scan.free(m.start(), m.end()):
            scan.consume(m.start(), m.end())  # 'non-commercial is fine': no constraint, and not text to rank by
    for m in list(scan.finditer(B + f"(?:{NONCOMMERCIAL})" + E)):
        if scan.free(m.start(), m.end()) and not scan.negated(m.start()):
            scan.add(Constraint("filter", "non_commercial", "true", "non-commercial license",
                                scan.source(m.start(), m.end()), m.start(), m.end()))
    for m in list(scan.finditer(B + f"(?:{COMMERCIAL_OK})" + E)):
        if scan.free(m.start(), m.end()) and not scan.negated(m.start()):
            scan.add(Constraint("filter", "commercial_use", "true", "commercial use allowed (known license)",
                                scan.source(m.start(), m.end()), m.start(), m.end()))
    for pattern, key, value in LICENSES:
        for m in list(scan.finditer(B + rf"(?:(?:an?|the)\s+)?(?:{pattern})(?:[- ]licen[cs]ed?|\s+licen[cs]es?)?" + E)):
            if not scan.free(m.start(), m.end()) or scan.negated(m.start()):
                continue
            raw = scan.text[m.start():m.end()]
            if value == "MIT" and not (re.search(r"(?i)licen[cs]", raw)
                                       or scan.words_before(m.start(), 1) in (["under"], ["with"])):
                continue  # 'MIT' alone is also the institute ('models from MIT', 'MIT researchers')
            values = _license_values(scan, key, value, raw)
            if not values:
                continue
            label = (f"license class: {values[0]}" if key == "license_class" else
                     "license: " + (", ".join(values) if len(values) <= 3 else f"{values[0]} and {len(values) - 1} more"))
            scan.add(Constraint("filter", key, values, label, scan.source(m.start(), m.end()), m.start(), m.end()))


def _license_values(scan: Scan, key: str, value: str | None, raw: str = "") -> list[str]:
    if key == "license_class" or value is None:
        return [value] if value else []
    known = scan.vocab.licenses
    family = value.lower()
    if family in known:
        return [known[family]]
    version = re.search(r"(\d\.\d)", raw)
    if version and family.startswith("cc-by"):  # 'CC-BY-4.0': that version only
        exact = [v for k, v in known.items() if k.startswith(family) and k.endswith(version.group(1))
                 and all(part in family or part not in k for part in ("-nc", "-sa", "-nd"))]
        if exact:
            return sorted(exact)
    if family in ("bsd", "gpl", "llama"):
        return sorted(v for k, v in known.items() if family in k and (family != "gpl" or "lgpl" not in k
                                                                      or "lgpl" in value))
    if family.startswith("cc-by"):
        return sorted(v for k, v in known.items() if k.startswith(family)
                      and all(part in family or part not in k for part in ("-nc", "-sa", "-nd")))
    return []


def lineage(scan: Scan) -> None:
    """'fine-tuned from Llama', 'based on BERT', 'distilled from X': descendants of a base model or family."""
    for m in list(scan.finditer(B + r"(?:fine[- ]?tuned|finetuned|derived|distilled|quantized|adapted|built|based|"
                                    r"descend(?:ed|ants?)|fine-?tunes?|finetunes|derivatives?|variants?|versions?|"
                                    r"adapters?|loras?)"
                                    r"\s+(?:from|on top of|off|of|on|for)\s+(?:the\s+|a\s+|an\s+)?")):
        if not scan.free(m.start(), m.end()):
            continue
        if re.match(r".*\son\s", m.group(0)) and not m.group(0).startswith(("based", "built")):
            continue  # 'fine-tuned on SQuAD' names data, not a parent (see trained_on)
        target = scan.longest_name(m.end(), scan.vocab.parents, max_words=3)
        parents: list[str] = []
        if target:
            parents = [scan.vocab.parents[target[2]]]
        else:
            word = re.match(r"[a-z][a-z0-9]*", scan.low[m.end():])
            if word and word.group(0) in scan.vocab.families:
                target = (m.end(), m.end() + word.end(), word.group(0))
                parents = scan.vocab.families[word.group(0)][:50]
        if not parents:
            continue
        name = scan.source(target[0], target[1])
        label = f"derived from {name}" + (f" ({len(parents)} base models)" if len(parents) > 1 else "")
        scan.add(Constraint("filter", "base_model", parents, label, scan.source(m.start(), target[1]),
                            m.start(), target[1]))


def trained_on(scan: Scan) -> None:
    """'trained on ImageNet', 'fine-tuned on SQuAD', 'evaluated on COCO': the dataset filter."""
    for m in list(scan.finditer(B + r"(?:pre-?)?(?:trained|fine[- ]?tuned|finetuned|evaluated|tested|benchmarked)"
                                    r"\s+on\s+(?:the\s+)?")):
        if not scan.free(m.start(), m.end()):
            continue
        found = scan.longest_name(m.end(), scan.vocab.benchmarks)
        if found:
            name = scan.vocab.benchmarks[found[2]]
            scan.add(Constraint("filter", "dataset", [name], f"trained or evaluated on {name}",
                                scan.source(m.start(), found[1]), m.start(), found[1]))


E2 = r"(?![\w@]|-\w)"  # ...and is not the first part of a hyphenated name ('multilingual-e5-small')


def zoos_and_formats(scan: Scan) -> None:
    for table in (FORMATS, ZOOS):  # formats first: 'OpenVINO IR' is a format, 'OpenVINO' a zoo
        for pattern, key, values in table:
            for m in list(scan.finditer(B + f"(?:{pattern})" + E2 + r"(?!/)")):
                if not scan.free(m.start(), m.end()) or scan.negated(m.start()):
                    continue
                known = [v for v in values if (v in scan.vocab.sources if key == "source" else
                                               v in scan.vocab.libraries.values() if key == "library" else True)]
                if not known:
                    continue
                source = scan.source(m.start(), m.end())
                label = {"library": f"library: {known[0]}", "source": f"from {source}",
                         "format": f"format: {', '.join(known)}", "precision": f"precision: {', '.join(known[:3])}"
                         + (" ..." if len(known) > 3 else "")}[key]
                scan.add(Constraint("filter", key, known, label, source, m.start(), m.end()))


def organizations(scan: Scan) -> None:
    """'from Meta', 'by Google', 'released by allenai'; 'open-access', 'closed-source'."""
    for m in list(scan.finditer(B + r"(?:from|by|made by|released by|trained by|published by)\s+(?:the\s+)?")):
        if not scan.free(m.start(), m.end()):
            continue
        found = scan.longest_name(m.end(), scan.vocab.organizations, max_words=3)
        if not found:
            continue
        names = ORGANIZATION_ALIASES.get(found[2], (scan.vocab.organizations[found[2]],))
        values = sorted({v for n in names for v in [scan.vocab.organizations.get(phrase_key(n), n)]})
        scan.add(Constraint("filter", "organization", values, f"organization: {scan.source(found[0], found[1])}",
                            scan.source(m.start(), found[1]), m.start(), found[1]))
    for pattern, access in ACCESS:
        for m in list(scan.finditer(B + f"(?:{pattern})" + E2)):
            if scan.free(m.start(), m.end()) and not scan.negated(m.start()) and scan.vocab.has_access:
                scan.add(Constraint("filter", "access", [access], f"access: {access}", scan.source(m.start(), m.end()),
                                    m.start(), m.end()))


def size_words(scan: Scan) -> None:
    """'small', 'tiny', 'for edge devices', 'on a Raspberry Pi': a parameter ceiling stated in the lexicon."""
    if scan.kind in ("dataset", "table"):
        return
    found: list[tuple[int, int, int, str]] = []
    for table in (EDGE_PHRASES, SIZE_WORDS):
        for phrase, (limit, why) in sorted(table.items(), key=lambda kv: -len(kv[0])):
            for m in scan.finditer(r"(?<![\w@/.-])" + re.escape(phrase) + r"(?![\w@-])"):
                if not scan.free(m.start(), m.end()) or scan.negated(m.start()):
                    continue
                if phrase in SIZE_WORDS and _part_of_name(scan, m.start(), m.end()):
                    continue
                if phrase in EDGE_PHRASES and re.search(r"\bthan\b", scan.low[:m.start()]):
                    continue  # 'faster than ResNet-50 on CPU' compares speeds, it states no size
                found.append((m.start(), m.end(), limit, why))
                scan.consume(m.start(), m.end())
    if not found or any(c.key == "max_parameters" for c in scan.constraints):
        return  # a number the user gave beats a word
    limit, why = min((f[2], f[3]) for f in found)
    start, end = min(f[0] for f in found), max(f[1] for f in found)
    scan.add(Constraint("filter", "max_parameters", limit, why, ", ".join(scan.source(s, e) for s, e, _, _ in found),
                        start, end, preferred=True), *[(s, e) for s, e, _, _ in found])  # a word, not a number


def _part_of_name(scan: Scan, start: int, end: int) -> bool:
    """'e5 small', 'GPT-2 small', 'ViT small', 'smaller than GPT-2': a size word that is a name's part or a comparison."""
    before = re.search(r"([a-z0-9]+)\W*$", scan.low[:start])
    after = re.match(r"\W*([a-z0-9]+)", scan.low[end:])
    word = scan.low[start:end]
    if after and after.group(1) == "than":
        return True
    prev = re.search(r"(\S+)\s+$", scan.low[:start])
    nxt = re.match(r"\s+(\S+)", scan.low[end:])
    if (prev and re.search(r"\d|\w-\w", prev.group(1))) or (nxt and re.search(r"\d", nxt.group(1))):
        return True  # next to 'GPT-2', 'e5', 'T5': a variant of a named model
    return bool((before and (before.group(1), word) in scan.vocab.name_bigrams)
                or (after and (word, after.group(1)) in scan.vocab.name_bigrams))


def languages(scan: Scan) -> None:
    for m in list(scan.finditer(B + f"(?:{MULTILINGUAL})" + E2)):
        if scan.free(m.start(), m.end()) and not scan.negated(m.start()):
            scan.add(Constraint("filter", "multilingual", "true", "multilingual", scan.source(m.start(), m.end()),
                                m.start(), m.end(), open_world=True))
    codes: dict[str, tuple[int, int]] = {}
    for name, code in _LANGUAGES.items():
        for m in scan.finditer(B + re.escape(name) + r"(?:[- ]language|[- ]speaking)?" + E2):
            if not scan.free(m.start(), m.end(), soft_ok=False) or scan.negated(m.start()):
                continue
            if name in AMBIGUOUS_LANGUAGE_WORDS and not (scan.text[m.start()].isupper()
                                                         or scan.words_before(m.start(), 1) in (["in"], ["for"])):
                continue
            codes.setdefault(code, (m.start(), m.end()))
    for code, (s, e) in sorted(codes.items(), key=lambda kv: kv[1]):
        scan.add(Constraint("filter", "language", [code], f"language: {LANGUAGE_NAMES[code]}", scan.source(s, e),
                            s, e, open_world=True))


def tasks(scan: Scan) -> None:
    """Task names as the catalog and people write them ('object detector', 'speech recognition')."""
    tokens = scan.tokens()
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        for n in range(min(5, len(tokens) - i), 0, -1):
            s, e = tokens[i][0], tokens[i + n - 1][1]
            if not scan.free(s, e, soft_ok=False, kind_ok=n > 1):
                continue
            words = [_correct(scan, t[2]) for t in tokens[i:i + n]]
            phrase = " ".join(words)
            found = _task_keys(scan, phrase, n)
            if found is None and words[-1] in AGENT_NOUNS:
                found = _task_keys(scan, " ".join(words[:-1] + [AGENT_NOUNS[words[-1]]]), n)
            if found:
                keys.extend(k for k in found if k not in keys)
                spans.append((s, e))
                i += n - 1
                break
        i += 1
    if keys:
        source = ", ".join(scan.source(s, e) for s, e in spans)
        label = "task: " + ", ".join(scan.source(s, e) for s, e in spans)
        scan.add(Constraint("filter", "task", keys, label, source, spans[0][0], spans[-1][1], preferred=True), *spans)


def _correct(scan: Scan, word: str) -> str:
    """A misspelt task word one edit from exactly one word of the task vocabulary ('objetc' -> 'object')."""
    known = scan.vocab.task_words
    if len(word) < 5 or word in known or not word.isalpha():
        return word
    cache = scan.vocab.corrections
    if word not in cache:
        close = {w for w in known if abs(len(w) - len(word)) <= 1 and _one_edit(word, w)}
        cache[word] = close.pop() if len(close) == 1 else word
        if len(cache) > 50_000:
            cache.clear()
    return cache[word]


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance 1, or one swap of adjacent letters."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                   and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _task_keys(scan: Scan, phrase: str, n_words: int) -> list[str] | None:
    if phrase not in TASK_PHRASES and phrase.endswith("s") and phrase[:-1] in TASK_PHRASES:
        phrase = phrase[:-1]  # 'language models', 'object detectors'
    if phrase in TASK_PHRASES:
        return list(dict.fromkeys([*TASK_PHRASES[phrase], *scan.vocab.tasks.get(phrase_key(TASK_PHRASES[phrase][0]),
                                                                                  [])]))
    key = phrase_key(phrase)
    if key not in scan.vocab.tasks or any(k in MODALITY_TASKS for k in scan.vocab.tasks[key][:1]):
        return None
    if n_words == 1 and (phrase in VAGUE_TASKS or len(phrase) < 5):
        return None
    return scan.vocab.tasks[key]


def modalities(scan: Scan) -> None:
    for pattern, modality in MODALITIES:
        for m in list(scan.finditer(B + f"(?:{pattern})" + E2)):
            if scan.free(m.start(), m.end(), soft_ok=False, kind_ok=True) and not scan.negated(m.start()):
                scan.add(Constraint("filter", "modality", [modality], f"modality: {modality}",
                                    scan.source(m.start(), m.end()), m.start(), m.end(), preferred=True))
                return
