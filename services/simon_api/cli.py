"""`simon` console script (API.md Bootstrap): `simon tenant create --name NAME`.

Works against the same database as `make run`: DATABASE_URL, else the embedded server in
DATA_DIR (default `.data/`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from services.simon_api.settings import get_settings
from shared.auth import create_tenant
from shared.db import create_engine, create_sessionmaker
from shared.embedded_postgres import resolve_database_url
from shared.migrate import upgrade


async def _create_tenant(database_url: str, name: str, email: str) -> dict[str, object]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            tenant, _, key = await create_tenant(session, name, office_email=email)
            await session.commit()
            return {"tenant_id": tenant.id, "api_key": key}
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="simon", description="Simon administration")
    groups = parser.add_subparsers(dest="group", required=True)
    tenant = groups.add_parser("tenant", help="tenants").add_subparsers(
        dest="action", required=True
    )
    create = tenant.add_parser("create", help="create a tenant with an office key")
    create.add_argument("--name", required=True)
    create.add_argument("--email", default="", help="e-mail of the office employee")
    args = parser.parse_args(argv)

    name = args.name.strip()
    if not name or len(name) > 200 or "\x00" in name:
        parser.error("--name must be 1 to 200 characters")
    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    upgrade(url)
    result = asyncio.run(_create_tenant(url, name, args.email))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
