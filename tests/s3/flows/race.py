import hashlib
import os
import time

from metaflow import FlowSpec, current, step


class RaceFlow(FlowSpec):
    """Attempt 0 of start is slow (RACE_SLOW_SECONDS) so a retry can overtake it."""

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
        self.next(self.end)

    @step
    def end(self):
        self.seen = self.attempt


if __name__ == "__main__":
    RaceFlow()
