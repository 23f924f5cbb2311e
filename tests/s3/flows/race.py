import hashlib
import os
import time

from metaflow import FlowSpec, current, step


class RaceFlow(FlowSpec):
    """Attempt 0 of start is slow so a retry can overtake it: it sleeps RACE_SLOW_SECONDS,
    or waits until the file RACE_RELEASE_FILE exists (at most 120 s)."""

    @step
    def start(self):
        self.attempt = current.retry_count
        size = int(os.environ.get("RACE_PAYLOAD_BYTES", "1024"))
        if os.environ.get("RACE_RANDOM"):
            self.payload = os.urandom(size)
        else:
            self.payload = hashlib.sha256(str(self.attempt).encode()).digest() * (size // 32)
        if current.retry_count == 0:
            time.sleep(float(os.environ.get("RACE_SLOW_SECONDS", "0")))
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
