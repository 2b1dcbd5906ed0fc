"""Is a record that is missing from a complete listing really gone (R-MASTER-4)?

Offset paging over a list that changes while it is read can skip a record without any
count betraying it (one deleted before the page boundary, one added after it). So before
anything is removed, each missing id is asked for on its own: only a 404 (or, for a
contact, an answer that it is now a supplier) proves it gone. At most `SAMPLE` are asked
per run; when more are missing, a sample is asked, and the rest count as gone only when
every one of the sample was (the mass-deletion guard still holds a large share back).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import structlog

from services.sync_worker.masterdata.entities import EntitySpec
from services.sync_worker.rompslomp import (
    AuthRevokedError,
    NotFoundError,
    RompslompClient,
    RompslompError,
)

log = structlog.get_logger("services.sync_worker.masterdata")

SAMPLE = 50
Answer = Literal["gone", "supplier", "present", "unknown"]


@dataclass
class Verdict:
    gone: list[int] = field(default_factory=list)  # Rompslomp ids, removal may go ahead
    suppliers: set[int] = field(default_factory=set)  # of `gone`: contacts now suppliers
    present: list[int] = field(default_factory=list)  # the listing missed them: kept
    unconfirmed: list[int] = field(default_factory=list)  # could not be asked: kept this time


async def _ask(
    client: RompslompClient, company_id: int, spec: EntitySpec, rompslomp_id: int
) -> Answer:
    try:
        if spec.resource == "contacts":
            contact = await client.get_contact(company_id, rompslomp_id)
            return "supplier" if contact.is_supplier else "present"
        await client.get_product(company_id, rompslomp_id)
        return "present"
    except NotFoundError:
        return "gone"
    except AuthRevokedError:
        raise
    except RompslompError as exc:
        # Rompslomp answered 200 with a body we cannot read: it exists. Anything else
        # (busy, refused): we do not know, so nothing is removed this time.
        return "present" if exc.status == 200 else "unknown"


async def check_missing(
    client: RompslompClient,
    company_id: int,
    spec: EntitySpec,
    missing: Sequence[int],
    *,
    rng: random.Random | None = None,
) -> Verdict:
    verdict = Verdict()
    if not missing:
        return verdict
    asked = list(missing)
    if len(asked) > SAMPLE:
        asked = sorted((rng or random.Random()).sample(asked, SAMPLE))
    answers = await asyncio.gather(*(_ask(client, company_id, spec, i) for i in asked))
    for rompslomp_id, answer in zip(asked, answers, strict=True):
        if answer in ("gone", "supplier"):
            verdict.gone.append(rompslomp_id)
            if answer == "supplier":
                verdict.suppliers.add(rompslomp_id)
        elif answer == "present":
            verdict.present.append(rompslomp_id)
        else:
            verdict.unconfirmed.append(rompslomp_id)
    rest = sorted(set(missing) - set(asked))
    if rest and len(verdict.gone) == len(asked):
        verdict.gone.extend(rest)
    else:
        verdict.unconfirmed.extend(rest)
    if verdict.present or verdict.unconfirmed:
        log.info(
            "sync.missing.kept",
            entity=spec.name,
            missing=len(missing),
            present=len(verdict.present),
            unconfirmed=len(verdict.unconfirmed),
        )
    verdict.gone.sort()
    return verdict
