"""Sockets driven from synchronous tests (Hypothesis, caplog flows): they live on one event loop
of their own, in a thread, so they survive from one call to the next (a fresh loop per call, as
async_to_sync makes, would orphan them)."""
import asyncio
import threading


class SocketLoop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
