"""api.batch_writer: what the chat path queues is stored in batches by one thread, which outlives a
failed batch; a full queue refuses at once."""
import logging
import threading

from api.batch_writer import BatchWriter


def test_queued_items_are_stored_in_batches_and_flush_waits_for_them():
    stored: list[list[int]] = []
    gate = threading.Event()

    def store(batch):
        gate.wait(5)  # the first batch holds the thread while the rest is queued
        stored.append(batch)

    writer = BatchWriter("test-writer", store, limit=100, batch_size=3)
    for number in range(7):
        assert writer.put(number)  # never waits for the store
    gate.set()
    writer.flush()
    assert [n for batch in stored for n in batch] == list(range(7))
    assert all(len(batch) <= 3 for batch in stored) and len(stored) >= 3
    writer.close()


def test_a_failed_batch_is_logged_and_the_next_is_stored(caplog):
    stored: list[int] = []

    def store(batch):
        if 1 in batch:
            raise RuntimeError("database away")
        stored.extend(batch)

    writer = BatchWriter("test-writer", store, limit=100, batch_size=1)
    with caplog.at_level(logging.ERROR, logger="api.batch_writer"):
        for number in range(3):
            writer.put(number)
        writer.flush()
    assert stored == [0, 2] and "could not store 1 item(s)" in caplog.text
    writer.close()


def test_a_full_queue_refuses_without_waiting(monkeypatch):
    writer = BatchWriter("test-writer", lambda batch: None, limit=2, batch_size=10)
    monkeypatch.setattr(writer, "_ensure_thread", lambda: None)  # nobody drains the queue
    assert [writer.put(n) for n in range(3)] == [True, True, False]
