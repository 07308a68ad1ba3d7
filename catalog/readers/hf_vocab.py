"""The Hugging Face Hub's tag vocabulary: which flat API tag means a task, a library, a language.

The Hub API returns one flat list per model (`license:mit`, `dataset:squad`, `en`,
`text-classification`, `pytorch`, `region:us`, ...). Prefixed tags say what they are;
bare tags do not, so we recognize them against the Hub's own vocabularies (pipeline
tags, model libraries, ISO 639 language codes). A tag we do not recognize stays a tag:
nothing is lost, it is only not promoted to a facet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Pipeline tags of huggingface.js `pipelines.ts` (plus the retired "conversational").
PIPELINE_TAGS: frozenset[str] = frozenset("""
text-classification token-classification table-question-answering question-answering
zero-shot-classification translation summarization feature-extraction text-generation
text2text-generation fill-mask sentence-similarity text-ranking text-to-speech text-to-audio
automatic-speech-recognition audio-to-audio audio-classification audio-text-to-text
voice-activity-detection depth-estimation image-classification object-detection
image-segmentation text-to-image image-to-text image-to-image image-to-video
unconditional-image-generation video-classification reinforcement-learning robotics
tabular-classification tabular-regression tabular-to-text table-to-text multiple-choice
text-retrieval time-series-forecasting text-to-video video-text-to-text image-text-to-text
visual-question-answering document-question-answering zero-shot-image-classification
graph-ml mask-generation zero-shot-object-detection text-to-3d image-to-3d
image-feature-extraction keypoint-detection visual-document-retrieval any-to-any
video-to-video conversational other
""".split())

# Model libraries, most specific first: a sentence-transformers model also carries the
# `transformers` tag, a GGUF export carries its framework tags; the first hit names it.
LIBRARY_TAGS: tuple[str, ...] = tuple("""
sentence-transformers diffusers peft adapter-transformers setfit span-marker timm open_clip
flair spacy stanza speechbrain espnet nemo fairseq fastai allennlp asteroid pyannote-audio
paddlenlp paddleocr stable-baselines3 ml-agents sample-factory scvi-tools transformers.js
mlx keras-nlp keras-hub tf-keras bertopic gliner fasttext sklearn scikit-learn
unity-sentis mindspore pythae audiocraft k2 transformers
gguf onnx keras tensorflowtts tf jax pytorch
""".split())

# ISO 639-1 (the two-letter codes the Hub asks for).
ISO_639_1: frozenset[str] = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu
""".split())

# Three-letter codes (ISO 639-2/3) seen as language tags on the Hub. Curated on purpose:
# every 3-letter ML word (ppo, moe, sft, llm, gpt, vit, art, ...) is also some ISO 639-3
# code, so only codes that are not common English or ML words are listed.
ISO_639_3: frozenset[str] = frozenset("""
ace ach acm ady aeb afr als amh ara asm ast awa aym azb aze bak bal ban bcl bel bem ben
bho bik bjn bos bpy bre bug bul bxr cat cbk ceb ces che chr chv ckb cmn cos crh csb cym
dag dan deu diq dsb dty dyu ell eng epo est eus ext fao fij fil fin fon fra frr fry ful
fur gag gan gil gla gle glg glk gom gor gos grc grn gsw guc guj hak hat hau haw heb hif
hil hin hne hrv hsb hun hye ibo ilo ind isl ita jam jav jbo jpn kaa kab kan kat kaz kbd
kbp kea khk khm kin kir kmr koi kor krc ksh kur lad lao lav lez lij lim lin lit lmo ltg
ltz lug lus lzh mad mag mai mal mar mhr min mkd mlt mni mon mri mrj msa mwl mya myv mzn
nah nan nap nds nep nia nld nno nob nor nqo nso nya oci ori orm ory oss pag pam pan pap
pcd pcm pdc pes pfl pms pnb pnt pol por poz prs pus que quy roh ron rue rup rus sah san
sat scn sco sgs shn sin skr slk slv sme smo sna snd som sot spa sqi srd srn srp ssw sun
swa swe szl tam tat tel tet tgk tgl tha tir tiv tpi tsn tso tuk tum tur twi tyv tzm udm
uig ukr urd uzb uzn vec ven vep vie vls wol wuu xal xho xmf yid yor yue zea zgh zha zho
zsm zul
""".split())

_BCP47 = re.compile(r"([a-z]{2,3})-[A-Za-z]{2,4}")


def is_language_tag(tag: str) -> bool:
    """Whether a bare Hub tag is a language code ('en', 'yue', 'sv-SE', 'code')."""
    if tag in ISO_639_1 or tag in ISO_639_3 or tag == "code":
        return True
    m = _BCP47.fullmatch(tag)
    return bool(m) and (m.group(1) in ISO_639_1 or m.group(1) in ISO_639_3)


def library_from_tags(tags: list[str]) -> str | None:
    """The model library a tag list names, most specific first; None if none."""
    present = set(tags)
    for lib in LIBRARY_TAGS:
        if lib in present:
            return lib
    return None


@dataclass
class HubTags:
    """A Hub API tag list sorted into the facets it encodes."""

    license: str | None = None
    datasets: list[str] = field(default_factory=list)
    base_models: list[tuple[str, str | None]] = field(default_factory=list)  # (id, relation)
    arxiv: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    library: str | None = None
    tags: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)


_BASE_RELATIONS = frozenset({"finetune", "adapter", "quantized", "merge"})


def classify_hub_tags(tags: list[str]) -> HubTags:
    """Sort Hub API tags into license, datasets, base models, languages, tasks, library.

    `base_model:X` has no relation (the Hub's older form); `base_model:quantized:X`
    carries one. `region:` goes to `extra`; other `prefix:value` tags
    (`diffusers:StableDiffusionPipeline`, `template:...`) stay tags.
    """
    out = HubTags()
    for raw in tags:
        tag = str(raw).strip()
        if not tag:
            continue
        prefix, sep, value = tag.partition(":")
        if sep and prefix == "license":
            out.license = out.license or value
        elif sep and prefix == "dataset":
            out.datasets.append(value)
        elif sep and prefix == "base_model":
            rel, sep2, rest = value.partition(":")
            if sep2 and rel in _BASE_RELATIONS:
                out.base_models.append((rest, rel))
            else:
                out.base_models.append((value, None))
        elif sep and prefix == "arxiv":
            out.arxiv.append(value)
        elif sep and prefix == "region":
            out.extra.setdefault("region", []).append(value)
        elif is_language_tag(tag):
            out.languages.append(tag)
        elif tag in PIPELINE_TAGS:
            out.tasks.append(tag)
        else:
            out.tags.append(tag)
    out.library = library_from_tags(out.tags)
    if out.library:
        out.tags.remove(out.library)
    return out
