"""One Engine shared by threads: every thread's records equal the single-threaded ones,
also while another thread reloads the set."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import paynorm
from conftest import CORPUS_PREFIX, FIXTURE_PREFIX, snapshot_cases

CASES = snapshot_cases(FIXTURE_PREFIX, "fixtures") + snapshot_cases(CORPUS_PREFIX, "corpus")
ITEMS = [{"provider": p, "response": json.loads(path.read_text(encoding="utf-8"))} for p, path, _ in CASES]


def test_threads_sharing_an_engine_get_the_single_threaded_records():
    engine = paynorm.Engine()
    expected_many = engine.normalize_many(ITEMS)
    expected_one = [engine.normalize(i["provider"], i["response"]) for i in ITEMS]
    assert expected_many == [e for _, _, e in CASES]

    def work(k: int):
        # Each worker starts at a different place so the threads interleave differently.
        order = ITEMS[k:] + ITEMS[:k]
        many = engine.normalize_many(order, threads=1 + k % 2)
        one = [engine.normalize(i["provider"], i["response"]) for i in order]
        return k, many, one

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(0, 64, 4)))
    assert len(results) == 16
    for k, many, one in results:
        assert many == expected_many[k:] + expected_many[:k]
        assert one == expected_one[k:] + expected_one[:k]


def test_reloads_while_other_threads_normalize(tmp_path):
    engine = paynorm.Engine()
    expected = engine.normalize_many(ITEMS)

    def reload_many():
        for _ in range(10):
            engine.reload()

    def normalize_many():
        return [engine.normalize_many(ITEMS) for _ in range(3)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        reloads = pool.submit(reload_many)
        outs = [pool.submit(normalize_many) for _ in range(3)]
        reloads.result()
        for f in outs:
            for records in f.result():
                assert records == expected


def test_normalize_many_and_normalize_arrow_let_other_threads_run():
    # A native call that kept the GIL would let no bytecode of another thread run once it
    # started: the other thread could tick only in the first switch interval (5 ms) of the
    # call. Ticks well inside the call show the GIL was let go.
    import threading
    import time

    import pyarrow as pa

    engine = paynorm.Engine()
    lines = [json.dumps(i).encode() for i in ITEMS] * 300
    table = pa.table({"provider": [i["provider"] for i in ITEMS] * 300,
                      "response": [json.dumps(i["response"]) for i in ITEMS] * 300})
    for call in (lambda: engine.normalize_many(lines, as_json=True), lambda: engine.normalize_arrow(table)):
        stamps, stop = [], threading.Event()

        def count():
            last = 0.0
            while not stop.is_set():
                now = time.perf_counter()
                if now - last > 0.001:
                    stamps.append(now)
                    last = now

        counter = threading.Thread(target=count)
        counter.start()
        try:
            start = time.perf_counter()
            call()
            end = time.perf_counter()
        finally:
            stop.set()
            counter.join()
        assert end - start > 0.1, "the call must be long enough to tell"
        inside = [t for t in stamps if start + 0.05 < t < end - 0.02]
        assert inside, (end - start, len(stamps))
