"""The words no catalog states: comparators, units, license spellings, deployment and size words.

Everything a catalog does name (benchmarks, tasks, hardware, model families) comes from
`vocabulary.py` instead. The thresholds behind vague size words are stated here once,
documented in the README, and shown in every interpretation's label.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------ numbers and comparators

NUMBER = r"(?P<num>\d+(?:[.,]\d+)?)"
# at least / more: op ">=" or ">"; at most / less: "<=" or "<"
GREATER = {
    "above": ">", "over": ">", "more than": ">", "greater than": ">", "higher than": ">", "better than": ">",
    "exceeding": ">", "exceeds": ">", "beyond": ">", ">": ">", "at least": ">=", "no less than": ">=",
    "larger than": ">", "bigger than": ">",
    "not less than": ">=", "minimum of": ">=", "minimum": ">=", "min": ">=", "of at least": ">=", ">=": ">=",
    "≥": ">=", "=>": ">=", "upwards of": ">=",
}
LESS = {
    "below": "<", "under": "<", "less than": "<", "lower than": "<", "fewer than": "<", "smaller than": "<",
    "<": "<", "at most": "<=", "no more than": "<=", "not more than": "<=", "maximum of": "<=", "maximum": "<=",
    "max": "<=", "up to": "<=", "<=": "<=", "≤": "<=", "=<": "<=", "within": "<=",
}
COMPARATORS = {**GREATER, **LESS}
COMPARATOR_RE = "|".join(sorted((re.escape(c) for c in COMPARATORS), key=len, reverse=True))
TRAILING_MORE = r"(?:or\s+(?:more|higher|better|above|greater|over)|\+|and\s+(?:up|above))"
TRAILING_LESS = r"(?:or\s+(?:less|lower|fewer|below|under|smaller))"

PARAM_UNITS = {"k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "million": 10**6, "millions": 10**6,
               "b": 10**9, "bn": 10**9, "billion": 10**9, "billions": 10**9, "t": 10**12, "trillion": 10**12}
BYTE_UNITS = {"kb": 10**3, "kib": 2**10, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30, "tb": 10**12}
PARAM_WORD = r"(?:param(?:e|a)?t?(?:e|a)?rs?|params?|weights|parameter)"

# ------------------------------------------------------------------ metrics people name

# human spelling -> the metric as the vocabulary (catalog/metrics.py) resolves it; longest first when matched
METRIC_PHRASES = {
    "top-1 accuracy": "top1", "top 1 accuracy": "top1", "top1 accuracy": "top1", "top-1 acc": "top1",
    "top-1": "top1", "top 1": "top1", "top1": "top1", "acc@1": "top1", "top-5 accuracy": "top5",
    "top 5 accuracy": "top5", "top-5": "top5", "top5": "top5", "zero-shot accuracy": "zero-shot accuracy",
    "zero-shot top-1": "zero-shot accuracy", "zero shot accuracy": "zero-shot accuracy", "accuracy": "accuracy",
    "acc": "accuracy", "box map": "map", "box ap": "map", "bbox map": "map", "map": "map", "ap": "map",
    "mean average precision": "map", "average precision": "map", "ap50": "ap50", "map50": "ap50",
    "map@0.5": "ap50", "mask ap": "mask ap", "mask map": "mask ap", "f1 score": "f1", "f1-score": "f1",
    "f-score": "f1", "f1": "f1", "f-1": "f1", "macro f1": "f1 macro", "exact match": "exact match",
    "bleu score": "bleu", "bleu": "bleu", "rouge-l": "rouge-l", "rouge-1": "rouge-1", "rouge-2": "rouge-2",
    "wer": "wer", "word error rate": "wer", "cer": "cer", "character error rate": "cer",
    "perplexity": "perplexity", "ppl": "perplexity", "ndcg@10": "ndcg@10", "ndcg": "ndcg@10",
    "mrr": "mrr", "miou": "miou", "mean iou": "miou", "iou": "miou", "psnr": "psnr", "ssim": "ssim",
    "fid": "fid", "roc auc": "auc", "auc": "auc", "pass@1": "pass@1", "spearman": "spearman",
    "v-measure": "v-measure", "main score": "main_score", "cosine spearman": "cosine-spearman",
    "cosine similarity spearman": "cosine-spearman", "spearman correlation": "spearman", "error rate": "error", "top-1 error": "error",
    "throughput": "throughput", "images per second": "throughput", "images/s": "throughput",
    "img/s": "throughput", "samples per second": "throughput", "samples/s": "throughput", "fps": "throughput",
    "latency": "latency", "inference time": "latency", "inference latency": "latency",
}
RECALL_AT = r"(?:(?:image|text)[- ](?:to[- ]\w+[- ])?retrieval[- ])?(?:r|recall|p|precision|ndcg|hits|map|mrr)@\d+"
METRIC_RE = "|".join([RECALL_AT] + sorted((re.escape(p) for p in METRIC_PHRASES), key=len, reverse=True))
TIME_UNITS = {"ms": 1.0, "millisecond": 1.0, "milliseconds": 1.0, "s": 1000.0, "sec": 1000.0, "second": 1000.0,
              "seconds": 1000.0, "us": 0.001, "µs": 0.001}

# ------------------------------------------------------------------ sort intents

BEST_WORDS = r"(?:best|top|highest[- ]scoring|highest|most accurate|state[- ]of[- ]the[- ]art|sota|leading|strongest|" \
             r"top[- ]performing|best[- ]performing|lowest)"
SORT_WORDS = {
    "most downloaded": "downloads", "most popular": "downloads", "popular": "downloads",
    "most liked": "likes", "newest": "created", "latest": "created", "most recent": "created",
    "recent": "created", "most cited": "referenced_by", "most used": "referenced_by",
    "most referenced": "referenced_by", "widely used": "referenced_by", "smallest": "fewest_parameters",
    "lightest": "fewest_parameters", "fewest parameters": "fewest_parameters", "largest": "parameters",
    "biggest": "parameters",
}
FAST_WORDS = r"(?:fastest|quickest|highest throughput|most throughput)"
LOW_LATENCY = r"(?:lowest latency|least latency|lowest (?:inference )?(?:step )?time|shortest (?:inference )?step time)"
# throughput said by its unit alone: '3000 images/s', 'at least 500 samples per second'
THROUGHPUT_UNITS = (r"images?/s(?:ec)?|img/s(?:ec)?|samples?/s(?:ec)?|(?:images|samples|frames|examples) per second"
                    r"|fps")
# organizations written differently by different zoos
ORGANIZATION_ALIASES = {"meta": ("meta", "facebook", "meta-llama"), "facebook": ("meta", "facebook", "meta-llama"),
                        "google": ("google", "google-research", "deepmind"), "microsoft": ("microsoft",)}
ACCESS = [(r"open[- ]access|open[- ]weights?|openly available weights", "open"),
          (r"closed[- ]source|closed[- ]access|closed|proprietary api|api[- ]only", "closed")]

# ------------------------------------------------------------------ vague sizes (stated thresholds)

# word -> (max_parameters, why); the strictest applies when several are said
SIZE_WORDS: dict[str, tuple[int, str]] = {
    "tiny": (10_000_000, "tiny: < 10M parameters"),
    "small": (100_000_000, "small: < 100M parameters"),
    "smaller": (100_000_000, "small: < 100M parameters"),
    "lightweight": (100_000_000, "lightweight: < 100M parameters"),
    "light-weight": (100_000_000, "lightweight: < 100M parameters"),
    "compact": (100_000_000, "compact: < 100M parameters"),
    "little": (100_000_000, "small: < 100M parameters"),
}
# deployment targets with the model size they fit (MobileNet/EfficientNet-B0/MiniLM scale)
EDGE_PHRASES: dict[str, tuple[int, str]] = {
    "edge devices": (30_000_000, "edge device: < 30M parameters"),
    "edge device": (30_000_000, "edge device: < 30M parameters"),
    "the edge": (30_000_000, "edge device: < 30M parameters"),
    "edge deployment": (30_000_000, "edge device: < 30M parameters"),
    "on-device": (30_000_000, "on-device: < 30M parameters"),
    "on device": (30_000_000, "on-device: < 30M parameters"),
    "mobile": (30_000_000, "mobile: < 30M parameters"),
    "mobile phone": (30_000_000, "mobile: < 30M parameters"),
    "mobile phones": (30_000_000, "mobile: < 30M parameters"),
    "phone": (30_000_000, "mobile: < 30M parameters"),
    "phones": (30_000_000, "mobile: < 30M parameters"),
    "smartphone": (30_000_000, "mobile: < 30M parameters"),
    "smartphones": (30_000_000, "mobile: < 30M parameters"),
    "raspberry pi": (30_000_000, "Raspberry Pi: < 30M parameters"),
    "microcontroller": (1_000_000, "microcontroller: < 1M parameters"),
    "microcontrollers": (1_000_000, "microcontroller: < 1M parameters"),
    "embedded device": (30_000_000, "embedded device: < 30M parameters"),
    "embedded devices": (30_000_000, "embedded device: < 30M parameters"),
    "iot": (30_000_000, "IoT device: < 30M parameters"),
    "cpu": (100_000_000, "CPU inference: < 100M parameters"),
    "a cpu": (100_000_000, "CPU inference: < 100M parameters"),
    "laptop": (100_000_000, "laptop: < 100M parameters"),
}

# ------------------------------------------------------------------ licenses

# regex -> (filter key, value); value None for "any id of this family present in the catalog"
LICENSES: list[tuple[str, str, str | None]] = [
    (r"apache(?:[- ](?:2(?:\.0)?|v2|license|licensed|licence|licenced))*", "license", "Apache-2.0"),
    (r"mit(?:[- ](?:license|licensed|licence|licenced))*", "license", "MIT"),
    (r"bsd(?:[- ](?:\d-clause|license|licensed))*", "license", "bsd"),
    (r"(?:a?gplv?[23]?|gnu gpl|lgpl(?:v[23])?)(?:[- ](?:license|licensed))*", "license", "gpl"),
    (r"cc0|cc-0|cc zero", "license", "CC0-1.0"),
    (r"cc[- ]by[- ]nc(?:[- ]sa)?(?:[- ]\d\.\d)?", "license", "cc-by-nc"),
    (r"cc[- ]by[- ]sa(?:[- ]\d\.\d)?", "license", "cc-by-sa"),
    (r"cc[- ]by(?:[- ]\d\.\d)?|creative commons attribution", "license", "cc-by"),
    (r"open[- ]?rail(?:[- ]m)?(?:[- ]licen[cs]ed?)?|rail licen[cs]e", "license_class", "responsible-ai"),
    (r"llama(?:[- ]?\d(?:\.\d)?)?[- ](?:community[- ])?licen[cs]e", "license", "llama"),
    (r"public[- ]domain", "license_class", "public-domain"),
    (r"permissive(?:ly)?(?:[- ]licen[cs]ed?)?|permissive licen[cs]e", "license_class", "permissive"),
    (r"copyleft", "license_class", "copyleft"),
]
COMMERCIAL_OK = (r"(?:for|allows?|allowing|permits?|okay for|ok for|fine for|usable for|suitable for)?\s*"
                 r"commercial(?:ly)?[- ](?:use (?:is )?(?:ok|okay|allowed|permitted|fine)|usage (?:ok|allowed)"
                 r"|use|usage|purposes|applications|products|deployment|friendly|usable|ok|okay)"
                 r"|usable commercially|business use")
NONCOMMERCIAL_FINE = (r"non[- ]?commercial(?: use)?(?: is)?\s+(?:ok|okay|fine|allowed|acceptable|is fine|"
                      r"licen[cs]es? (?:are |is )?(?:ok|okay|fine))")
NONCOMMERCIAL = r"non[- ]?commercial(?:[- ](?:only|use|licen[cs]e|licen[cs]ed))*|research[- ]only|nc[- ]licen[cs]e"

# ------------------------------------------------------------------ kinds, zoos, deployment, modality

MODEL_WORDS = ("model", "models", "checkpoint", "checkpoints", "llm", "llms", "classifier", "classifiers", "detector",
               "detectors", "segmenter", "encoder", "encoders", "embedder", "tagger", "recognizer")
DATASET_WORDS = ("dataset", "datasets", "data set", "data sets", "corpus", "corpora", "training data")
TABLE_WORDS = ("table", "tables")
# a kind word right after one of these is what the user will build, not what they look for
MAKE_VERBS = ("train", "build", "design", "create", "develop", "propose", "learn", "construct", "make",
              "evaluate", "test", "benchmark", "fine-tune", "finetune", "improve", "compare", "use", "pretrain",
              "implement", "deploy", "run", "serve", "using", "propose", "proposing", "training", "building",
              "designing", "developing", "creating", "learning")

# phrase -> (filter key, values as the catalog stores them); only kept when the catalog has them
ZOOS: list[tuple[str, str, tuple[str, ...]]] = [
    (r"timm", "library", ("timm",)),
    (r"open[_ -]?clip", "library", ("open_clip",)),
    (r"sentence[- ]transformers?|sbert", "library", ("sentence-transformers",)),
    (r"diffusers", "library", ("diffusers",)),
    (r"mteb", "source", ("mteb_meta", "mteb_results")),
    (r"helm", "source", ("helm",)),
    (r"tf[- ]?hub|tensorflow[- ]hub", "source", ("tfhub",)),
    (r"openvino|open model zoo|omz", "source", ("openvino",)),
    (r"hugging ?face(?: hub)?|hf hub", "source", ("hf_card", "hf_hub_rows", "hf_dataset_card", "hf_dataset_meta")),
    (r"papers[- ]with[- ]code|paperswithcode|pwc", "source", ("pwc_sota", "pwc_datafinder", "pwc_tasks")),
    (r"croissant", "source", ("croissant",)),
]
FORMATS: list[tuple[str, str, tuple[str, ...]]] = [
    (r"tf ?lite|tensorflow lite|tflite", "format", ("tflite",)),
    (r"tfjs|tensorflow\.js|tf\.js", "format", ("tfjs",)),
    (r"coral(?: edge ?tpu)?|edge ?tpu", "format", ("coral-edgetpu",)),
    (r"onnx", "format", ("onnx",)),
    (r"gguf", "format", ("gguf",)),
    (r"openvino ir|ir format", "format", ("openvino-ir",)),
    (r"saved ?model", "format", ("savedmodel",)),
    (r"fp16-int8", "precision", ("fp16-int8",)),
    (r"fp32-int8", "precision", ("fp32-int8",)),
    (r"int8|8[- ]bit", "precision", ("int8",)),
    (r"int4|4[- ]bit", "precision", ("int4",)),
    (r"fp16|half[- ]precision", "precision", ("fp16",)),
    (r"quanti[sz]ed", "precision", ("int8", "int4", "int1", "fp8", "fp16-int8", "fp32-int8", "fp16-int1")),
]
MODALITIES: list[tuple[str, str]] = [
    (r"multi[- ]?modal|vision[- ]language|image[- ]text|text[- ]image", "multimodal"),
    (r"computer vision|vision|visual|image models?|images models?", "vision"),
    (r"audio|sound|(?<!hate )(?<!free )(?<!of[- ])speech models?|(?<!hate )(?<!free )(?<!of[- ])speech", "audio"),
    (r"videos?", "video"),
    (r"tabular", "tabular"),
    (r"time[- ]series", "time-series"),
    (r"graph neural networks?|graphs?", "graph"),
    (r"nlp|natural language processing|text models?", "text"),
]
MULTILINGUAL = r"multi[- ]?lingual|cross[- ]?lingual|many languages|several languages|multiple languages"

# task phrases people use that no catalog key spells: phrase -> task keys (the catalog adds its own)
TASK_PHRASES: dict[str, tuple[str, ...]] = {
    "speech recognition": ("automatic-speech-recognition", "speech-recognition"),
    "asr": ("automatic-speech-recognition", "speech-recognition"),
    "speech to text": ("automatic-speech-recognition", "speech-recognition"),
    "speech-to-text": ("automatic-speech-recognition", "speech-recognition"),
    "transcription": ("automatic-speech-recognition", "speech-recognition"),
    "object detection": ("object-detection", "image-object-detection", "detection"),
    "object detector": ("object-detection", "image-object-detection", "detection"),
    "object detectors": ("object-detection", "image-object-detection", "detection"),
    "sentence embedding": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "sentence embeddings": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "text embedding": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "text embeddings": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "embedding model": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "embedding models": ("sentence-similarity", "feature-extraction", "text-embedding"),
    "ner": ("token-classification", "named-entity-recognition"),
    "named entity recognition": ("token-classification", "named-entity-recognition"),
    "sentiment analysis": ("sentiment-analysis", "sentiment-classification", "text-classification"),
    "sentiment": ("sentiment-analysis", "sentiment-classification", "text-classification"),
    "qa": ("question-answering", "extractive-qa", "open-domain-qa"),
    "question answering": ("question-answering", "extractive-qa", "open-domain-qa", "open-domain-question-answering"),
    "image classifier": ("image-classification",), "image classifiers": ("image-classification",),
    "text classifier": ("text-classification",), "chatbot": ("text-generation", "conversational"),
    "language model": ("text-generation", "fill-mask", "language-modeling"),
    "text to image": ("text-to-image",), "image captioning": ("image-captioning", "image-to-text"),
    "semantic segmentation": ("semantic-segmentation", "image-segmentation"),
    "pose estimation": ("image-pose-detection", "pose-estimation", "human-pose-estimation"),
    "machine translation": ("translation", "machine-translation"),
}
# agent nouns -> the task word they do ("detector" -> detection), tried when no phrase matched
AGENT_NOUNS = {"detector": "detection", "detectors": "detection", "classifier": "classification",
               "classifiers": "classification", "segmenter": "segmentation", "recognizer": "recognition",
               "generator": "generation", "summarizer": "summarization", "translator": "translation",
               "tagger": "tagging", "parser": "parsing", "captioner": "captioning", "transcriber": "transcription"}
# one-word task keys too vague to be a constraint on their own
VAGUE_TASKS = {"classification", "detection", "segmentation", "retrieval", "generation", "embedding", "other",
               "conversational", "parsing", "tagging", "recognition", "models", "model", "text", "image",
               "multiple-choice", "common-sense", "chunking", "lemmatization", "unknown", "reasoning"}

NEGATIONS = ("not", "no", "non", "without", "except", "excluding", "exclude", "never", "isn't", "aren't", "avoid")

# words that carry no need on their own: a query left with only these has nothing to rank by
FILLER = {
    "a", "an", "the", "for", "with", "and", "or", "of", "on", "in", "to", "that", "which", "is", "are", "be", "i",
    "me", "my", "we", "need", "want", "looking", "look", "find", "show", "get", "give", "some", "any", "good",
    "great", "please", "something", "one", "ones", "licensed", "licenced", "license", "licence", "under", "above",
    "model", "models", "dataset", "datasets", "best", "top", "by", "its", "it", "has", "have", "having", "from",
    "at", "as", "than", "more", "less", "use", "using", "can", "that's", "what", "which", "who", "whose", "all",
    "list", "lists", "available", "ok", "okay", "allowed", "fine", "also", "only", "just", "very", "really",
    "enough", "there", "here", "sorted", "ranked", "most", "checkpoint", "checkpoints", "weights", "version",
    "versions", "score", "scores", "scoring", "performance", "performing", "results", "result", "trained",
    "runs", "run", "running", "works", "work", "working", "fits", "fit", "supports", "support", "that", "or",
    "better", "higher", "more",
}
# task keys the catalog has that are modality names: the modality rule reads them
MODALITY_TASKS = {"computer-vision", "multimodal", "nlp", "audio", "speech", "vision", "video", "tabular"}
CONNECTORS = {"with", "and", "or", "on", "in", "for", "of", "under", "that", "which", "is", "are", "having", "has",
              "a", "an", "the", "at", "by", "to", "from", "but", ",", ";", "-"}

# words that stand for a language only when written with a capital (or after 'in'): "polish a model"
AMBIGUOUS_LANGUAGE_WORDS = {"polish", "malay", "thai"}
