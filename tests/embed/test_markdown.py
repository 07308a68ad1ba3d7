"""clean_markdown and chunk_words: what of a card reaches the encoder."""

from __future__ import annotations

import pytest

from assetscout.embed.markdown import chunk_words, clean_markdown, strip_front_matter
from assetscout.errors import InvalidInput

CARD = """---
license: apache-2.0
tags:
- vision
---

# ViT for trash sorting [![CI](https://img.shields.io/badge/ci-passing-green)](https://ci.example.org)

This **model** classifies _waste_ images into six classes; see the [paper](https://arxiv.org/abs/2010.11929)
or https://example.org/more for details. <img src="x.png"/> <b>Bold</b> &amp; done.

<!-- Describe your model here -->

## Usage

```python
from transformers import pipeline
print("secret code")
```

~~~
pip install nothing
~~~

| Split | Accuracy | F1 |
|-------|---------:|---:|
| val   | 0.91     | 0.88 |
| test  | 0.90     | 87.5% |

| Field | Value |
|---|---|
| Developed by | Example Lab |
| Language | English |

- first item
* second item
> quoted line

@article{dosovitskiy2020,
  title={An Image is Worth 16x16 Words},
}

<table><tr><th>Model</th><th>Top-1</th></tr><tr><td>ViT-B</td><td>81.2</td></tr></table>
"""


def test_clean_markdown_keeps_the_prose_and_drops_the_noise():
    text = clean_markdown(CARD)
    for kept in ("ViT for trash sorting.", "This model classifies waste images into six classes; see the paper",
                 "Bold & done.", "Usage.", "Developed by; Example Lab.", "first item", "second item", "quoted line"):
        assert kept in text, kept
    for dropped in ("license:", "http", "img.shields", "secret code", "pip install", "<img", "Describe your",
                    "0.91", "Accuracy", "87.5", "dosovitskiy", "16x16", "81.2", "```", "|", "**", "[", "CI"):
        assert dropped not in text, dropped


def test_paragraphs_become_lines_and_headings_end_with_a_period():
    text = clean_markdown("# Title\n\nfirst line\nsame paragraph\n\nnext paragraph")
    assert text.split("\n") == ["Title.", "first line same paragraph", "next paragraph"]


def test_a_table_of_words_is_kept_and_a_table_of_numbers_is_not():
    words = "| Task | Dataset |\n|---|---|\n| NER | CoNLL |\n"
    numbers = "| Task | Score |\n|---|---|\n| NER | 91.2 |\n| POS | 97.1 |\n"
    assert clean_markdown(words) == "Task; Dataset. NER; CoNLL."
    assert clean_markdown(numbers) == ""
    assert clean_markdown(numbers, numeric_table_share=1.0) == "Task; Score. NER; 91.2. POS; 97.1."


def test_an_unclosed_fence_drops_the_rest_rather_than_leaking_code():
    assert clean_markdown("intro\n```\ncode()\nmore code") == "intro"


def test_strip_front_matter_only_strips_a_leading_block():
    assert strip_front_matter("---\na: 1\n---\nbody") == "body"
    assert strip_front_matter("body\n---\na: 1\n---\n") == "body\n---\na: 1\n---\n"


def test_clean_markdown_checks_its_parameter():
    with pytest.raises(InvalidInput, match="numeric_table_share"):
        clean_markdown("x", numeric_table_share=0)


WORDS = " ".join(f"w{i}" for i in range(500))


def test_chunks_are_windows_with_the_exact_overlap():
    chunks = chunk_words(WORDS, size=200, overlap=40)
    starts = [int(c.split()[0][1:]) for c in chunks]
    assert starts == [0, 160, 320]
    assert [len(c.split()) for c in chunks] == [200, 200, 180]
    assert chunks[0].split()[-40:] == chunks[1].split()[:40]
    assert chunks[-1].split()[-1] == "w499"


def test_chunking_edge_cases():
    assert chunk_words("") == []
    assert chunk_words("one two three") == ["one two three"]
    exact = " ".join(f"w{i}" for i in range(200))
    assert chunk_words(exact, size=200, overlap=40) == [exact]
    assert len(chunk_words(WORDS, size=20, overlap=0, max_chunks=3)) == 3


@pytest.mark.parametrize("kwargs, parameter", [
    ({"size": 4}, "size"), ({"overlap": 200}, "overlap"), ({"overlap": -1}, "overlap"),
    ({"max_chunks": 0}, "max_chunks"),
])
def test_chunk_words_checks_its_parameters(kwargs, parameter):
    with pytest.raises(InvalidInput, match=parameter):
        chunk_words(WORDS, **kwargs)
