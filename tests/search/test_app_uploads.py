"""The HTTP layer's parts without a server: upload names, the multipart reader, the
engine swap lock, the error mapping and the settings checks."""

from __future__ import annotations

import asyncio
import random
import threading
from pathlib import Path
from typing import AsyncIterator

import pytest

from assetscout.errors import CatalogError, InvalidInput, NotFound, RecordError
from assetscout.search.app import AppSettings
from assetscout.search.http_engine import ReadWriteLock
from assetscout.search.http_errors import status_of, validation_message
from assetscout.search.http_uploads import (FileTooLarge, UploadLimits, multipart_boundary, receive_uploads,
                                            safe_upload_name)

BOUNDARY = "----assetscoutTestBoundary7MA4YWxk"


def multipart(parts: list[tuple[str, bytes]], boundary: str = BOUNDARY, *, field: str = "files") -> bytes:
    out = bytearray(b"preamble to ignore\r\n")
    for name, data in parts:
        out += f"--{boundary}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\nepilogue to ignore".encode()
    return bytes(out)


async def _chunks(body: bytes, sizes: list[int]) -> AsyncIterator[bytes]:
    pos = 0
    for size in sizes:
        yield body[pos:pos + size]
        pos += size
    if pos < len(body):
        yield body[pos:]


def receive(body: bytes, dest: Path, sizes: list[int] | None = None, limits: UploadLimits = UploadLimits(),
            content_type: str = f"multipart/form-data; boundary={BOUNDARY}"):
    return asyncio.run(receive_uploads(_chunks(body, sizes or [len(body)]), content_type, dest, limits))


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["README.md", "datasets/squad/README.md", "owner@model/1_raw.md",
                                  "données/carte modèle.yaml", ".hidden/x.json", "a/b/c/d/e/f/g/h.csv"])
def test_plain_relative_names_are_kept(name: str) -> None:
    assert str(safe_upload_name(name)) == name


@pytest.mark.parametrize("name, words", [
    ("", "no file name"), ("../x", "traversal"), ("a/../../x", "traversal"), ("a/./x", "traversal"),
    ("..", "traversal"), ("/etc/passwd", "absolute"), ("C:x", "absolute"), ("c:/x", "absolute"),
    ("..\\x", "backslash"), ("a\\b", "backslash"), ("a//b", "empty folder"), ("a/", "empty folder"),
    ("a\x00b", "control"), ("a\nb", "control"), ("a\x7fb", "control"), ("x" * 1025, "1025 characters"),
    ("/".join("a" * 9), "9 levels"), ("é" * 200, "255 bytes"),
])
def test_names_that_could_leave_the_folder_are_refused(name: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        safe_upload_name(name)


# ---------------------------------------------------------------------------- the multipart reader


def test_files_arrive_byte_exact_however_the_body_is_cut(tmp_path: Path) -> None:
    rng = random.Random(7)
    nasty = b"\r\n--" + BOUNDARY[:-1].encode() + b"\r\n--\r\n\r\n" + BOUNDARY.encode()[:10]
    files = {"a.bin": bytes(rng.getrandbits(8) for _ in range(5000)) + nasty,
             "sub/dir/b.txt": nasty * 3,
             "empty.txt": b"",
             "c.md": b"# card\r\n\r\n--not-a-boundary\r\n"}
    body = multipart(list(files.items()))
    for trial in range(60):
        dest = tmp_path / f"t{trial}"
        dest.mkdir()
        sizes = [rng.randint(1, 97) for _ in range(len(body))] if trial % 2 else [rng.randint(1, 3000) for _ in range(50)]
        got = receive(body, dest, sizes)
        assert [(f.name, f.size) for f in got] == [(n, len(d)) for n, d in files.items()]
        for name, data in files.items():
            assert (dest / name).read_bytes() == data
        assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == sorted(files)


def test_each_file_is_size_limited(tmp_path: Path) -> None:
    body = multipart([("ok.txt", b"x" * 100), ("big.txt", b"x" * 101)])
    with pytest.raises(FileTooLarge, match="big.txt"):
        receive(body, tmp_path, [7] * 100, UploadLimits(max_file_bytes=100))


def test_too_many_files_and_repeated_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at most 2 files"):
        receive(multipart([("a", b"1"), ("b", b"2"), ("c", b"3")]), tmp_path / "1", limits=UploadLimits(max_files=2))
    with pytest.raises(InvalidInput, match="twice"):
        receive(multipart([("a", b"1"), ("a", b"2")]), tmp_path / "2")
    with pytest.raises(InvalidInput, match="clashes"):
        receive(multipart([("a", b"1"), ("a/b", b"2")]), tmp_path / "3")


def test_a_traversal_name_writes_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "uploads" / "req"
    dest.mkdir(parents=True)
    with pytest.raises(InvalidInput, match="traversal"):
        receive(multipart([("ok.txt", b"1"), ("../../evil.txt", b"2")]), dest)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "uploads" / "evil.txt").exists()


@pytest.mark.parametrize("body, words", [
    (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\"\r\n\r\nabc",
     "closing boundary"),
    (b"no boundary at all", "closing boundary"),
    (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--"
     + BOUNDARY.encode() + b"--\r\n", "not a file"),
    (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: attachment; filename=\"a\"\r\n\r\nhi\r\n--"
     + BOUNDARY.encode() + b"--\r\n", "form-data"),
    (b"--" + BOUNDARY.encode() + b"\r\nX-Long: " + b"a" * 20000, "header"),
    (b"--" + BOUNDARY.encode() + b"garbage\r\n", "boundary line"),
])
def test_malformed_bodies_are_invalid_input(tmp_path: Path, body: bytes, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        receive(body, tmp_path, [5] * 5000)


@pytest.mark.parametrize("content_type", [None, "application/json", "multipart/form-data",
                                          "multipart/form-data; boundary=" + "x" * 71])
def test_content_type_needs_a_multipart_boundary(content_type: str | None) -> None:
    with pytest.raises(InvalidInput):
        multipart_boundary(content_type)


def test_quoted_boundary_and_rfc2231_file_names(tmp_path: Path) -> None:
    body = (b'--a b\r\nContent-Disposition: form-data; name="files"; filename*=UTF-8\'\'d%C3%A9j%C3%A0.md\r\n\r\n'
            b"hi\r\n--a b--")
    got = receive(body, tmp_path, content_type='multipart/form-data; boundary="a b"')
    assert [f.name for f in got] == ["déjà.md"] and (tmp_path / "déjà.md").read_bytes() == b"hi"


# ---------------------------------------------------------------------------- the swap lock


def test_a_waiting_writer_holds_back_new_readers_until_the_readers_leave() -> None:
    lock = ReadWriteLock()
    order: list[str] = []
    reader_in, release_reader = threading.Event(), threading.Event()

    def long_reader() -> None:
        with lock.read():
            order.append("reader1 in")
            reader_in.set()
            release_reader.wait(10)
            order.append("reader1 out")

    def writer() -> None:
        with lock.write():
            order.append("writer")

    def late_reader() -> None:
        with lock.read():
            order.append("reader2")

    t1 = threading.Thread(target=long_reader)
    t1.start()
    reader_in.wait(10)
    t2 = threading.Thread(target=writer)
    t2.start()
    while not lock._writers_waiting:  # the writer is queued
        threading.Event().wait(0.001)
    t3 = threading.Thread(target=late_reader)
    t3.start()
    threading.Event().wait(0.05)
    assert order == ["reader1 in"]  # neither the writer nor the late reader got in
    release_reader.set()
    for t in (t1, t2, t3):
        t.join(10)
    assert order == ["reader1 in", "reader1 out", "writer", "reader2"]


# ---------------------------------------------------------------------------- errors and settings


def test_assetscout_errors_map_to_one_status_each() -> None:
    assert status_of(InvalidInput("x")) == (400, "invalid_input")
    assert status_of(NotFound("x")) == (404, "not_found")
    assert status_of(RecordError("x")) == (400, "invalid_input")
    assert status_of(CatalogError("x")) == (503, "unavailable")


def test_validation_errors_read_as_words() -> None:
    assert validation_message([{"type": "int_parsing", "loc": ("query", "k"), "msg": "Input should be a valid integer"}]) \
        == "query parameter 'k': Input should be a valid integer"
    assert "not valid JSON" in validation_message([{"type": "json_invalid", "loc": ("body", 3), "msg": "JSON decode error",
                                                    "ctx": {"error": "Expecting value"}}])
    many = [{"type": "missing", "loc": ("body", f"f{i}"), "msg": "Field required"} for i in range(8)]
    assert validation_message(many).endswith("and 3 more")


@pytest.mark.parametrize("kw, words", [
    ({"max_k": 0}, "max_k"), ({"max_k": 10**6}, "max_k"), ({"max_json_bytes": True}, "max_json_bytes"),
    ({"max_upload_files": 0}, "max_upload_files"), ({"ingest_token_env": "NOT VALID"}, "ingest_token_env"),
    ({"cors_origins": "http://x"}, "cors_origins"),
])
def test_settings_are_checked(tmp_path: Path, kw: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        AppSettings(catalog_dir=tmp_path, **kw)


def test_settings_resolve_the_catalog_dir(tmp_path: Path) -> None:
    settings = AppSettings(catalog_dir=str(tmp_path / "a" / ".." / "b"))
    assert settings.catalog_dir == (tmp_path / "b").resolve()


@pytest.mark.parametrize("kw, words", [({"port": 70000}, "port"), ({"port": "80"}, "port"), ({"host": ""}, "host")])
def test_serve_checks_its_arguments(tmp_path: Path, kw: dict, words: str) -> None:
    from assetscout.search.app import serve

    with pytest.raises(InvalidInput, match=words):
        serve(tmp_path, **kw)
