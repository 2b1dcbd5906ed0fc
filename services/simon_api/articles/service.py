from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.articles.schemas import ArticleCreate, ArticleUpdate
from services.simon_api.lookups import (
    get_owned,
    is_referenced,
    like_pattern,
    refuse_when_managed_by_rompslomp,
    require_reference,
)
from services.simon_api.pagination import PageParams, keyset, page_of
from shared.enums import RecordSource
from shared.models import Article, ArticleGroup, Material
from shared.problems import Conflict

NOT_NULL = ("code", "description", "price")


async def list_articles(
    session: AsyncSession,
    tenant_id: int,
    params: PageParams,
    *,
    q: str | None,
    include_inactive: bool,
    article_group_id: int | None = None,
) -> tuple[list[Article], str | None]:
    statement = select(Article).where(Article.tenant_id == tenant_id)
    if not include_inactive:
        statement = statement.where(Article.active.is_(True))
    if article_group_id is not None:
        statement = statement.where(Article.article_group_id == article_group_id)
    if q:
        pattern = like_pattern(q)
        statement = statement.where(
            or_(Article.code.ilike(pattern), Article.description.ilike(pattern))
        )
    rows = list((await session.scalars(keyset(statement, Article.id, params))).all())
    return page_of(rows, params, lambda a: a.id)


async def get_article(session: AsyncSession, tenant_id: int, article_id: int) -> Article:
    return await get_owned(session, Article, tenant_id, article_id, label="Article")


async def _check_group(session: AsyncSession, tenant_id: int, group_id: int | None) -> None:
    if group_id is not None:
        await require_reference(
            session,
            ArticleGroup,
            tenant_id,
            group_id,
            field="article_group_id",
            label="article group",
        )


async def create_article(session: AsyncSession, tenant_id: int, data: ArticleCreate) -> Article:
    await refuse_when_managed_by_rompslomp(session, tenant_id, label="Articles")
    await _check_group(session, tenant_id, data.article_group_id)
    article = Article(
        tenant_id=tenant_id, source=RecordSource.SIMON, active=True, **data.model_dump()
    )
    session.add(article)
    await session.flush()
    return article


# Simon's own fields on an article: the article group (R-MASTER-6, Rompslomp's API has no
# product categories), so it may be set while Rompslomp leads everything else.
SIMON_FIELDS = frozenset({"article_group_id"})


async def update_article(
    session: AsyncSession, tenant_id: int, article_id: int, data: ArticleUpdate
) -> Article:
    article = await get_article(session, tenant_id, article_id)
    changes = data.model_dump(exclude_unset=True)
    if not changes.keys() <= SIMON_FIELDS:
        await refuse_when_managed_by_rompslomp(session, tenant_id, label="Articles")
    await _check_group(session, tenant_id, changes.get("article_group_id"))
    for field, value in changes.items():
        if field in NOT_NULL and value is None:
            continue
        setattr(article, field, value)
    await session.flush()
    return article


async def delete_article(session: AsyncSession, tenant_id: int, article_id: int) -> None:
    article = await get_article(session, tenant_id, article_id)
    await refuse_when_managed_by_rompslomp(session, tenant_id, label="Articles")
    if await is_referenced(session, Material.article_id == article.id):
        raise Conflict("Work orders use this article; it cannot be deleted.", code="in_use")
    await session.execute(delete(Article).where(Article.id == article.id))
