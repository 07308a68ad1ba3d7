"""assetscout.embed: encoders and the serializers that decide what they see (DESIGN.md section 3).

Importing this package is cheap: torch, sentence-transformers and open_clip load on
first use, inside the encoders.
"""

from assetscout.embed.base import Encoder, MissingDependency, check_compatible
from assetscout.embed.cache import EmbeddingCache, cache_key, encode_cached
from assetscout.embed.fake import HashingEncoder
from assetscout.embed.image import ImageScan, OpenCLIPEncoder, find_images
from assetscout.embed.markdown import chunk_words, clean_markdown
from assetscout.embed.serialize import CardText, serialize_card, serialize_column, serialize_schema
from assetscout.embed.text import DEFAULT_MODEL_NAME, SentenceTransformerEncoder

__all__ = [
    "DEFAULT_MODEL_NAME",
    "CardText",
    "EmbeddingCache",
    "Encoder",
    "HashingEncoder",
    "ImageScan",
    "MissingDependency",
    "OpenCLIPEncoder",
    "SentenceTransformerEncoder",
    "cache_key",
    "check_compatible",
    "chunk_words",
    "clean_markdown",
    "encode_cached",
    "find_images",
    "serialize_card",
    "serialize_column",
    "serialize_schema",
]
