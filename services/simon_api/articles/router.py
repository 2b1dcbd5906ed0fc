from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.simon_api.articles import service
from services.simon_api.articles.schemas import ArticleCreate, ArticleOut, ArticleUpdate
from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep
from services.simon_api.fields import MAX_ID, PathId, SearchText
from services.simon_api.pagination import Page, PageParams, page_params
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/articles", tags=["articles"], responses=PROBLEM_RESPONSES)
MANAGED = documented(409, "`managed_by_rompslomp` or `in_use`")
PATCH_MANAGED = documented(
    409,
    "`managed_by_rompslomp`: while the integration is active only `article_group_id` may "
    "change (article groups are Simon's own)",
)


@router.get("", response_model=Page[ArticleOut])
async def list_articles(
    session: SessionDep,
    principal: PrincipalDep,
    params: Annotated[PageParams, Depends(page_params)],
    q: Annotated[SearchText | None, Query(description="Code or description")] = None,
    include_inactive: bool = False,
    article_group_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[ArticleOut]:
    rows, cursor = await service.list_articles(
        session,
        principal.tenant_id,
        params,
        q=q,
        include_inactive=include_inactive,
        article_group_id=article_group_id,
    )
    return Page(items=[ArticleOut.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/{article_id}", response_model=ArticleOut)
async def get_article(
    session: SessionDep, principal: PrincipalDep, article_id: PathId
) -> ArticleOut:
    return ArticleOut.model_validate(
        await service.get_article(session, principal.tenant_id, article_id)
    )


@router.post("", status_code=201, response_model=ArticleOut, responses=MANAGED)
async def create_article(
    session: SessionDep, principal: OfficeDep, body: ArticleCreate
) -> ArticleOut:
    article = await service.create_article(session, principal.tenant_id, body)
    await session.commit()
    return ArticleOut.model_validate(article)


@router.patch("/{article_id}", response_model=ArticleOut, responses=PATCH_MANAGED)
async def update_article(
    session: SessionDep, principal: OfficeDep, article_id: PathId, body: ArticleUpdate
) -> ArticleOut:
    article = await service.update_article(session, principal.tenant_id, article_id, body)
    await session.commit()
    return ArticleOut.model_validate(article)


@router.delete("/{article_id}", status_code=204, responses=MANAGED)
async def delete_article(session: SessionDep, principal: OfficeDep, article_id: PathId) -> Response:
    await service.delete_article(session, principal.tenant_id, article_id)
    await session.commit()
    return Response(status_code=204)
