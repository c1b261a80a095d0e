"""A page being let in counts as one seat until its kernel is a seat of its own, never as two: the class
server's kernel manager ends the page's admission the moment it adds the kernel to the class's seats (in the
request's own task), so that a class of N opening at once never refuses its N-th learner."""
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "class"))

from page_handlers import ADMISSION, Admission, ClassHandler, page_seated  # noqa: E402


def test_a_page_counts_once_from_admission_to_seat_whoever_ends_it_first():
    before = ClassHandler.admitting

    async def a_request(seats: set, kernel: str):
        admission = Admission()  # the page handler lets the page in
        ADMISSION.set(admission)
        counted = [len(seats) + ClassHandler.admitting - before]

        async def start_kernel():  # the kernel manager, awaited by Voila's page generator in this task
            await asyncio.sleep(0)
            seats.add(kernel)
            page_seated()

        await start_kernel()
        counted.append(len(seats) + ClassHandler.admitting - before)
        admission.seated()  # the page's first piece, then the request's end: nothing more to take off
        admission.seated()
        counted.append(len(seats) + ClassHandler.admitting - before)
        return counted

    async def a_class():
        seats = set()
        return await asyncio.gather(*(a_request(seats, f"kernel-{i}") for i in range(3))), seats

    counts, seats = asyncio.run(a_class())
    assert ClassHandler.admitting == before and len(seats) == 3
    assert all(count[-1] == 3 for count in counts)  # three pages, three seats: none counted twice at the end
    assert max(max(count) for count in counts) == 3  # nor on the way


def test_outside_a_page_request_a_new_seat_ends_no_admission():
    before = ClassHandler.admitting
    page_seated()  # a pool kernel started by the warm pool, not for a page
    assert ClassHandler.admitting == before
