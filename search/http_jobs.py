"""Background jobs of the HTTP API: an upload's ingest runs after its request has answered.

An ingest can take a minute (a first search index over a catalog, a big upload); held
inside the request it would hold the client's connection, a server worker and, through
the engine swap, every search behind it. POST /ingest therefore only receives the files
and answers 202 with a job; one worker thread runs the jobs in order (ingest is one
writer at a time anyway) and GET /ingest/jobs/{id} says where each stands:
queued -> running -> done (with the ingest report) | failed (with the error, in the API's
error shape). The last `keep` jobs are remembered, in this process only.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from assetscout.errors import AssetScoutError, NotFound

log = logging.getLogger("assetscout.http")

JobStatus = Literal["queued", "running", "done", "failed"]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Job:
    id: str
    status: JobStatus
    submitted_at: str
    uploaded: list[dict[str, Any]]
    started_at: str | None = None
    finished_at: str | None = None
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    position: int = field(default=0, repr=False)
    incoming: Path | None = field(default=None, repr=False)  # the request's upload folder, until the job ran

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "status_url": f"/ingest/jobs/{self.id}",
                "submitted_at": self.submitted_at, "started_at": self.started_at, "finished_at": self.finished_at,
                "uploaded": self.uploaded, "report": self.report, "error": self.error}


class IngestJobs:
    """Runs ingest jobs one at a time in a background thread and keeps their outcome."""

    def __init__(self, keep: int = 200) -> None:
        self._keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assetscout-ingest")

    def submit(self, work: Callable[[], dict[str, Any]], uploaded: list[dict[str, Any]], incoming: Path) -> Job:
        """Queue `work` (it returns the report); `incoming` is removed once it has run."""
        job = Job(uuid.uuid4().hex[:16], "queued", _now(), uploaded, position=next(self._counter), incoming=incoming)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs.values()))
                if oldest.status in ("queued", "running"):
                    break  # never forget a job a client may still be waiting for
                self._jobs.popitem(last=False)
        try:
            self._pool.submit(self._run, job, work, incoming)
        except RuntimeError:  # the server is shutting down
            shutil.rmtree(incoming, ignore_errors=True)
            with self._lock:
                self._jobs.pop(job.id, None)
            raise AssetScoutError("the server is shutting down; send the upload again later") from None
        return job

    def _run(self, job: Job, work: Callable[[], dict[str, Any]], incoming: Path) -> None:
        from assetscout.search.http_errors import status_of

        with self._lock:
            job.status, job.started_at = "running", _now()
        try:
            report = work()
        except AssetScoutError as exc:
            status, code = status_of(exc)
            outcome: dict[str, Any] = {"status": "failed", "error": {"status": status, "code": code,
                                                                      "message": str(exc) or type(exc).__name__}}
        except Exception as exc:  # noqa: BLE001 -- a bug: logged with the job id, the client gets the id
            log.error("ingest job %s failed", job.id, exc_info=exc)
            outcome = {"status": "failed", "error": {
                "status": 500, "code": "internal",
                "message": f"the ingest failed unexpectedly (job {job.id}; details are in the server log)"}}
        else:
            outcome = {"status": "done", "report": report}
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
            job.incoming = None
        with self._lock:
            for key, value in outcome.items():
                setattr(job, key, value)
            job.finished_at = _now()

    def get(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound(f"no ingest job {job_id!r} on this server (jobs are kept in memory: the last "
                               f"{self._keep}, until the server restarts)")
            out = job.to_dict()
            if job.status == "queued":
                out["ahead"] = sum(1 for j in self._jobs.values()
                                   if j.status in ("queued", "running") and j.position < job.position)
            return out

    def close(self) -> None:
        """Finish the running job, drop the queued ones (their uploads are removed)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for job in self._jobs.values():
                if job.status == "queued" and job.incoming is not None:
                    shutil.rmtree(job.incoming, ignore_errors=True)
                    job.status, job.error = "failed", {"status": 503, "code": "unavailable",
                                                       "message": "the server stopped before this job ran"}
