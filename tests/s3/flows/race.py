import hashlib
import os
import time

from metaflow import FlowSpec, current, step


class RaceFlow(FlowSpec):
    """Attempt 0 of start can be held so a retry overtakes it: it creates RACE_STARTED_FILE
    and waits until RACE_RELEASE_FILE exists (at most 120 s)."""

    @step
    def start(self):
        self.attempt = current.retry_count
        size = int(os.environ.get("RACE_PAYLOAD_BYTES", "1024"))
        if os.environ.get("RACE_RANDOM"):
            self.payload = os.urandom(size)
        else:
            self.payload = hashlib.sha256(str(self.attempt).encode()).digest() * (size // 32)
        if current.retry_count == 0:
            started = os.environ.get("RACE_STARTED_FILE")
            if started:
                open(started, "w").close()
            release = os.environ.get("RACE_RELEASE_FILE")
            deadline = time.monotonic() + 120
            while release and not os.path.exists(release) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.next(self.end)

    @step
    def end(self):
        self.seen = self.attempt


if __name__ == "__main__":
    RaceFlow()
