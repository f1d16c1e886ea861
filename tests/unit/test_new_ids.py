"""Ids (`followup.models.new_id`, `new_ids`): UUID-shaped, unique, in creation order."""

from __future__ import annotations

import re

from followup.models import new_id, new_ids

UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_ids_made_in_batches_and_one_by_one_sort_in_the_order_they_were_made() -> None:
    made = [new_id(), *new_ids(300), new_id(), *new_ids(1), *new_ids(0), new_id()]
    assert len(made) == 304
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(UUID_SHAPE.fullmatch(i) for i in made)


def test_a_batch_has_random_bits_of_its_own_for_every_id() -> None:
    batch = new_ids(1000)
    tails = {i[19:] for i in batch}  # the random half
    assert len(tails) == 1000
