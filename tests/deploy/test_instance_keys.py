"""Keys generated into instance/ are complete and agreed on by processes starting at once (issue 11)."""
import multiprocessing
import stat

from app.system.instance_keys import secret_key


def _read_key(directory: str, queue) -> None:
    from pathlib import Path

    queue.put(secret_key(Path(directory)))


def test_processes_starting_together_all_read_one_complete_key(tmp_path):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_read_key, args=(str(tmp_path), queue)) for _ in range(40)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind
