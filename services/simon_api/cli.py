"""`simon` console script (API.md Bootstrap): `simon tenant create --name NAME`, and
`simon work-orders refresh-views` (every work order's stored JSON written again from
`WorkOrderOut`, after a change to it; shared/work_order_view.py).

Works against the same database as `make run`: DATABASE_URL, else the embedded server in
DATA_DIR (default `.data/`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from sqlalchemy import select

from services.simon_api.settings import get_settings
from shared.auth import create_tenant
from shared.db import create_engine, create_sessionmaker
from shared.embedded_postgres import resolve_database_url
from shared.migrate import upgrade
from shared.models import Tenant
from shared.work_order_view import refresh_views_after


async def _create_tenant(database_url: str, name: str, email: str) -> dict[str, object]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            tenant, _, key = await create_tenant(session, name, office_email=email)
            await session.commit()
            return {"tenant_id": tenant.id, "api_key": key}
    finally:
        await engine.dispose()


async def _refresh_views(database_url: str) -> dict[str, object]:
    """Every tenant's work orders, a batch per transaction (the API keeps running)."""
    engine = create_engine(database_url, pool_size=1)
    sessions = create_sessionmaker(engine)
    refreshed = 0
    try:
        async with sessions() as session:
            tenants = list(await session.scalars(select(Tenant.id).order_by(Tenant.id)))
        for tenant_id in tenants:
            after = 0
            while True:
                async with sessions() as session:
                    ids = await refresh_views_after(session, tenant_id, after)
                    await session.commit()
                if not ids:
                    break
                refreshed, after = refreshed + len(ids), ids[-1]
    finally:
        await engine.dispose()
    return {"refreshed": refreshed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="simon", description="Simon administration")
    groups = parser.add_subparsers(dest="group", required=True)
    tenant = groups.add_parser("tenant", help="tenants").add_subparsers(
        dest="action", required=True
    )
    create = tenant.add_parser("create", help="create a tenant with an office key")
    create.add_argument("--name", required=True)
    create.add_argument("--email", default="", help="e-mail of the office employee")
    work_orders = groups.add_parser("work-orders", help="work orders").add_subparsers(
        dest="action", required=True
    )
    work_orders.add_parser(
        "refresh-views", help="write every work order's API JSON again from WorkOrderOut"
    )
    args = parser.parse_args(argv)

    if args.group == "tenant":
        name = args.name.strip()
        if not name or len(name) > 200 or "\x00" in name:
            parser.error("--name must be 1 to 200 characters")
    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    upgrade(url)
    if args.group == "tenant":
        result = asyncio.run(_create_tenant(url, name, args.email))
    else:
        result = asyncio.run(_refresh_views(url))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
