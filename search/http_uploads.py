"""Receiving uploaded files: a streaming multipart/form-data reader that writes to one folder.

Uploads are written as they arrive (never held in memory whole), each under a
relative name the client chose, because readers recognize files by name and by
their folder (`datasets/<name>/README.md` beside `dataset_infos.json`). A name is
accepted only if it stays inside the folder: no absolute names, no `..`, no
backslashes or drive letters, no control characters; files are created with
O_EXCL | O_NOFOLLOW so nothing already on disk is followed or overwritten. Endpoints
that take settings beside a file (table search) may ask for small text form fields too.

Written here rather than taken from python-multipart because that package is not a
dependency of assetscout.
"""

from __future__ import annotations

import contextlib
import email.message
import email.parser
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, AsyncIterator

from assetscout.errors import InvalidInput

MAX_NAME_CHARS = 1024
MAX_NAME_DEPTH = 8
MAX_PART_HEADER_BYTES = 16 * 1024
MAX_FIELDS = 32
MAX_FIELD_BYTES = 4096
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on one upload request (the total body size is bounded by the middleware)."""

    max_files: int = 200
    max_file_bytes: int = 20 * 1024 * 1024

    def __post_init__(self) -> None:
        if isinstance(self.max_files, bool) or not isinstance(self.max_files, int) or not 1 <= self.max_files <= 100_000:
            raise ValueError(f"max_files must be an int in 1..100000, got {self.max_files!r}")
        if isinstance(self.max_file_bytes, bool) or not isinstance(self.max_file_bytes, int) or self.max_file_bytes < 1:
            raise ValueError(f"max_file_bytes must be an int >= 1, got {self.max_file_bytes!r}")


@dataclass(frozen=True)
class UploadedFile:
    name: str  # the relative name as the client sent it (checked)
    size: int


def safe_upload_name(raw: str) -> PurePosixPath:
    """The relative path an uploaded file may be written under, or InvalidInput saying why not."""
    if not isinstance(raw, str) or not raw:
        raise InvalidInput("an uploaded file has no file name")
    shown = raw[:80] + ("..." if len(raw) > 80 else "")
    if len(raw) > MAX_NAME_CHARS:
        raise InvalidInput(f"file name {shown!r} is {len(raw)} characters long; at most {MAX_NAME_CHARS} are allowed")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise InvalidInput(f"file name {shown!r} contains control characters")
    if "\\" in raw:
        raise InvalidInput(f"file name {shown!r} contains a backslash; separate folders with '/'")
    if raw.startswith("/") or _DRIVE.match(raw):
        raise InvalidInput(f"file name {shown!r} is absolute; only relative names (e.g. 'datasets/squad/README.md') are accepted")
    parts = raw.split("/")
    if any(p in (".", "..") for p in parts):
        raise InvalidInput(f"file name {shown!r} contains '.' or '..' (path traversal); use a plain relative name")
    if any(not p for p in parts):
        raise InvalidInput(f"file name {shown!r} has an empty folder name (a trailing or doubled '/')")
    if len(parts) > MAX_NAME_DEPTH:
        raise InvalidInput(f"file name {shown!r} is nested {len(parts)} levels deep; at most {MAX_NAME_DEPTH} are allowed")
    if any(len(p.encode("utf-8", "surrogatepass")) > 255 for p in parts):
        raise InvalidInput(f"file name {shown!r} has a component longer than 255 bytes")
    return PurePosixPath(*parts)


def multipart_boundary(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data Content-Type, or InvalidInput."""
    msg = email.message.Message()
    msg["content-type"] = content_type or ""
    if msg.get_content_type() != "multipart/form-data":
        raise InvalidInput("expected a multipart/form-data body")
    boundary = msg.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70 or not boundary.isascii():
        raise InvalidInput("multipart/form-data Content-Type has no valid boundary parameter")
    return boundary.encode("ascii")


class FileTooLarge(Exception):
    """One uploaded file is over the per-file limit (the HTTP layer answers 413)."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(f"file {name!r} is over the limit of {limit:,} bytes per uploaded file")
        self.name = name
        self.limit = limit


class _Sink:
    """One file being written inside `dest`, with its size limit."""

    def __init__(self, dest: Path, name: PurePosixPath, limit: int) -> None:
        self.name = str(name)
        self.limit = limit
        self.size = 0
        self.fd = -1
        target = dest.joinpath(*name.parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            root = dest.resolve()
            parent = target.parent.resolve()
            if parent != root and root not in parent.parents:  # defence in depth: names are checked already
                raise InvalidInput(f"file name {self.name!r} leaves the upload folder")
            self.fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            raise InvalidInput(f"file name {self.name!r} clashes with another uploaded file or folder") from None
        except (NotADirectoryError, IsADirectoryError):
            raise InvalidInput(f"file name {self.name!r} clashes with another uploaded file's folder") from None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FileTooLarge(self.name, self.limit)
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class _FieldSink:
    """A small text form field (`receive_uploads(fields=...)`), kept in memory up to MAX_FIELD_BYTES."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.size = 0
        self._data = bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        if self.size > MAX_FIELD_BYTES:
            raise InvalidInput(f"form field {self.name!r} is over {MAX_FIELD_BYTES:,} bytes")
        self._data += data

    def text(self) -> str:
        try:
            return self._data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"form field {self.name!r} is not UTF-8 text") from None

    def close(self) -> None:
        pass


def _part_headers(raw: bytes) -> email.message.Message:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("a multipart part header is not UTF-8") from None
    return email.parser.Parser().parsestr(text, headersonly=True)


async def receive_uploads(chunks: AsyncIterator[bytes], content_type: str | None, dest: Path,
                          limits: UploadLimits = UploadLimits(), *,
                          fields: dict[str, str] | None = None) -> list[UploadedFile]:
    """Stream a multipart/form-data body into files under `dest`; return what was written.

    Every part must be a file (a part with a file name), unless `fields` is given: then
    parts without a file name are small text fields (at most MAX_FIELDS of at most
    MAX_FIELD_BYTES each, names not repeated) put into `fields`. An empty file name (a
    form submitted with no file chosen) is skipped. Raises InvalidInput for a malformed
    body, a bad or repeated name, too many files; FileTooLarge for a file over the
    per-file limit. What was written before the error stays: the caller owns `dest`.
    """
    sep = b"\r\n--" + multipart_boundary(content_type)
    keep = len(sep) - 1
    buf = bytearray(b"\r\n")  # so the first delimiter looks like every other one
    state = "preamble"
    sink: _Sink | _FieldSink | None = None
    skipping = False
    files: list[UploadedFile] = []
    names: set[str] = set()
    try:
        async for chunk in chunks:
            buf += chunk
            while True:
                if state == "preamble":
                    at = buf.find(sep)
                    if at < 0:
                        del buf[: max(0, len(buf) - keep)]
                        break
                    del buf[: at + len(sep)]
                    state = "after_delimiter"
                elif state == "after_delimiter":
                    if len(buf) < 2:
                        break
                    if buf[:2] == b"--":
                        state = "epilogue"
                        continue
                    line_end = buf.find(b"\r\n")
                    if line_end < 0 or buf[:line_end].strip(b" \t"):
                        if line_end < 0 and len(buf) < 256:
                            break
                        raise InvalidInput("malformed multipart body: bad boundary line")
                    del buf[: line_end + 2]
                    state = "headers"
                elif state == "headers":
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buf) > MAX_PART_HEADER_BYTES:
                            raise InvalidInput(f"a multipart part header is over {MAX_PART_HEADER_BYTES} bytes")
                        break
                    headers = _part_headers(bytes(buf[:end]))
                    del buf[: end + 4]
                    sink, skipping = _open_part(headers, dest, limits, files, names, fields)
                    state = "data"
                elif state == "data":
                    at = buf.find(sep)
                    if at < 0:
                        cut = len(buf) - keep
                        if cut > 0:
                            if sink is not None:
                                sink.write(memoryview(buf)[:cut])
                            elif not skipping:
                                raise InvalidInput("malformed multipart body")
                            del buf[:cut]
                        break
                    if sink is not None:
                        sink.write(memoryview(buf)[:at])
                        sink.close()
                        if isinstance(sink, _FieldSink):
                            fields[sink.name] = sink.text()  # type: ignore[index]  # a field sink needs fields
                        else:
                            files.append(UploadedFile(sink.name, sink.size))
                        sink = None
                    del buf[: at + len(sep)]
                    state = "after_delimiter"
                else:  # epilogue: ignored, as RFC 2046 says
                    buf.clear()
                    break
        if state != "epilogue":
            raise InvalidInput("multipart body ended before its closing boundary (upload cut short?)")
    finally:
        if sink is not None:
            sink.close()
    return files


def _open_part(headers: email.message.Message, dest: Path, limits: UploadLimits,
               files: list[UploadedFile], names: set[str],
               fields: dict[str, str] | None = None) -> tuple[_Sink | _FieldSink | None, bool]:
    if headers.get_content_disposition() != "form-data":
        raise InvalidInput("every multipart part needs 'Content-Disposition: form-data'")
    filename = headers.get_filename()
    if filename is None:
        field = headers.get_param("name", header="content-disposition")
        if fields is None:
            raise InvalidInput(f"form field {field!r} is not a file; send only files (field name 'files')")
        if not isinstance(field, str) or not field or len(field) > 100:
            raise InvalidInput("a form field has no usable name")
        if field in fields:
            raise InvalidInput(f"form field {field!r} is sent twice")
        if len(fields) >= MAX_FIELDS:
            raise InvalidInput(f"too many form fields: at most {MAX_FIELDS}")
        fields[field] = ""  # claims the name until the value is complete
        return _FieldSink(field), False
    if filename == "":
        return None, True
    name = safe_upload_name(filename)
    if str(name) in names:
        raise InvalidInput(f"file name {str(name)!r} is sent twice")
    if len(names) >= limits.max_files:
        raise InvalidInput(f"too many files: at most {limits.max_files} files per upload")
    names.add(str(name))
    return _Sink(dest, name, limits.max_file_bytes), False



async def receive_request_uploads(receive: Any, content_type: str | None, dest: Path, limits: UploadLimits, *,
                                  drain_bytes: int, fields: dict[str, str] | None = None) -> list[UploadedFile]:
    """`receive_uploads` on an ASGI request body, with its failures as the API answers them.

    A file over its limit is a 413 and a malformed body a 400; either way the rest of the
    body is read (at most `drain_bytes`) first, so that the client reads the answer
    instead of a connection reset. A client that hangs up mid-upload is a 400.
    """
    from assetscout.search.http_errors import ApiError
    from assetscout.search.http_limits import BodyReader

    body = BodyReader(receive)
    try:
        return await receive_uploads(body.chunks(), content_type, dest, limits, fields=fields)
    except ConnectionResetError:
        raise InvalidInput("the client disconnected during the upload") from None
    except (FileTooLarge, InvalidInput) as exc:
        with contextlib.suppress(Exception):
            await body.drain(drain_bytes)
        if isinstance(exc, FileTooLarge):
            raise ApiError(413, "payload_too_large", str(exc)) from None
        raise
