"""The class's warm pool: Voila 0.5's preheated kernels, kept within the class and announced when ready.

Voila's pool (voila/voila_kernel_manager.py) starts every missing kernel at once and starts one more each
time a page takes one, whatever the class holds: with a pool the size of the class, thirty learners would
leave thirty fresh kernels behind them (sixty kernels, about 18 GB). This pool
- never holds more than the class: pooled kernels + seats taken ≤ the class size (the pool refills when a
  learner's kernel ends, so a seat freed is warm again);
- starts at most `warm_starts` kernels at a time (a kernel's start and its notebook run hold the slot; 0: all
  at once, as Voila does), so the first seats are ready early instead of every kernel sharing two cores;
- logs "class: N seats ready in S s" once its kernels have run the notebook up to the last cell, where each
  waits for its page's query (Voila's own "Kernel pool … is filled" comes when the kernels have started,
  before the notebook ran).
"""
from __future__ import annotations

import asyncio
import time


def warm_pool_factory(voila_factory):
    """Wrap voila.app's voila_kernel_manager_factory: the preheating kernel manager becomes a WarmPool."""

    def factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        voila_manager = voila_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not preheat_kernel:
            return voila_manager

        class WarmPool(voila_manager):
            seats_taken = staticmethod(lambda: 0)  # the class server (class/serve.py) counts its seats

            @property
            def class_size(self):
                return getattr(self.parent, "class_size", None)

            @property
            def warm_starts(self) -> int:
                return getattr(self.parent, "warm_starts", 0)

            def __init__(self, **kwargs):
                self._closing, self._starting, self._slots, self._waiting = False, None, set(), set()
                self._ready_since, self._announced = time.monotonic(), False
                super().__init__(**kwargs)  # Voila's first fill happens in here

            def pool_target(self, notebook_name) -> int:
                """Pooled kernels wanted now: the pool size, less what the class cannot use."""
                config = self.kernel_pools_config.get(notebook_name, self.kernel_pools_config.get("default", {}))
                wanted = config.get("pool_size", 1)
                size = self.class_size
                return wanted if size is None else max(0, min(wanted, size - self.seats_taken()))

            def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables={}, **kwargs):
                if self._closing:
                    return
                pool = self._pools.get(notebook_name, [])
                target = self.pool_target(notebook_name)
                if len(pool) >= target:
                    return
                if self._announced or not pool:  # a new fill: its ready line counts from now
                    self._ready_since, self._announced = time.monotonic(), False
                pools_config = self.kernel_pools_config
                # Voila reads the size from its config; give it this fill's target for the call.
                self.kernel_pools_config = {**pools_config, notebook_name: {
                    **pools_config.get(notebook_name, pools_config.get("default", {})), "pool_size": target}}
                try:
                    super().fill_if_needed(delay, notebook_name, extra_kernel_env_variables, **kwargs)
                finally:
                    self.kernel_pools_config = pools_config

            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                """Voila's start-and-run of a pooled kernel, at most warm_starts at a time."""
                if not self.warm_starts or kernel_id is not None:  # kernel_id: a restart, not a warm start
                    return await super()._initialize(notebook_path, kernel_id, **kwargs)
                if self._starting is None:
                    self._starting = asyncio.Semaphore(self.warm_starts)
                await self._starting.acquire()
                try:
                    content = await super()._initialize(notebook_path, kernel_id, **kwargs)
                except BaseException:
                    self._starting.release()
                    raise
                # The slot is held until the kernel waits for its page (the notebook has run up to its last
                # cell, which asks for the page's query), or its run ended (a page took it, or it failed).
                kernel = content["kernel_id"]
                self._slots.add(kernel)
                content["task"].add_done_callback(lambda _task: self._free_slot(kernel))
                return content

            def _free_slot(self, kernel_id):
                if kernel_id in self._slots:
                    self._slots.discard(kernel_id)
                    self._starting.release()

            def waiting_for_page(self, kernel_id):
                """A kernel asked for its page's query (class/page_handlers.py's QuerySocket): it has built the
                whole app; a pooled one is a warm seat."""
                if kernel_id in self._waiting:  # it asks again every 20 s while it waits
                    return
                self._waiting.add(kernel_id)
                self._free_slot(kernel_id)
                if self.notebook_path is not None:
                    ready, target = self.ready_seats(self.notebook_path), self.pool_target(self.notebook_path)
                    if 0 < ready < target and not self._announced:  # the teacher sees the class warming, seat by seat
                        self.log.info("class: %d of %d seats warm after %.0f s", ready, target,
                                      time.monotonic() - self._ready_since)
                    self._announce_if_ready(self.notebook_path)

            def ready_seats(self, notebook_name) -> int:
                """Pooled kernels waiting for a page: a page taking one gets the whole app at once."""
                pool = self._pools.get(notebook_name, [])
                return sum(item.done() and not item.cancelled() and item.exception() is None
                           and item.result()["kernel_id"] in self._waiting for item in pool)

            def _announce_if_ready(self, notebook_name):
                ready, target = self.ready_seats(notebook_name), self.pool_target(notebook_name)
                if self._announced or self._closing or ready == 0 or ready < target:
                    return
                self._announced = True
                taken = self.seats_taken()
                self.log.info("class: %d seat%s ready in %.0f s%s", ready, "s" * (ready != 1),
                              time.monotonic() - self._ready_since, f" ({taken} taken)" if taken else "")

            async def shutdown_kernel(self, kernel_id, *args, **kwargs):
                result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
                self._waiting.discard(kernel_id)
                if self.notebook_path is not None:  # a seat was freed (or a pooled kernel lost): warm it again
                    self.fill_if_needed(notebook_name=self.notebook_path)
                return result

            async def shutdown_all(self, *args, **kwargs):
                self._closing = True  # the server stops: nothing refills
                return await super().shutdown_all(*args, **kwargs)

        return WarmPool

    return factory
