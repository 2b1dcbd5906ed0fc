"""Article groups are kept in Simon (R-MASTER-6): Rompslomp has no product categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select, update

from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep
from services.simon_api.fields import Name, PathId
from services.simon_api.lookups import get_owned
from services.simon_api.pagination import Page, PageParams, keyset, page_of, page_params
from shared.models import Article, ArticleGroup
from shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/article-groups", tags=["article_groups"], responses=PROBLEM_RESPONSES)


class ArticleGroupIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re", json_schema_extra={"examples": [{"name": "Cv"}]}
    )
    name: Name


class ArticleGroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


@router.get("", response_model=Page[ArticleGroupOut])
async def list_article_groups(
    session: SessionDep,
    principal: PrincipalDep,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[ArticleGroupOut]:
    statement = select(ArticleGroup).where(ArticleGroup.tenant_id == principal.tenant_id)
    rows = list((await session.scalars(keyset(statement, ArticleGroup.id, params))).all())
    items, cursor = page_of(rows, params, lambda g: g.id)
    return Page(items=[ArticleGroupOut.model_validate(g) for g in items], next_cursor=cursor)


@router.get("/{group_id}", response_model=ArticleGroupOut)
async def get_article_group(
    session: SessionDep, principal: PrincipalDep, group_id: PathId
) -> ArticleGroupOut:
    group = await get_owned(
        session, ArticleGroup, principal.tenant_id, group_id, label="Article group"
    )
    return ArticleGroupOut.model_validate(group)


@router.post("", status_code=201, response_model=ArticleGroupOut)
async def create_article_group(
    session: SessionDep, principal: OfficeDep, body: ArticleGroupIn
) -> ArticleGroupOut:
    group = ArticleGroup(tenant_id=principal.tenant_id, name=body.name)
    session.add(group)
    await session.commit()
    return ArticleGroupOut.model_validate(group)


@router.patch("/{group_id}", response_model=ArticleGroupOut)
async def update_article_group(
    session: SessionDep, principal: OfficeDep, group_id: PathId, body: ArticleGroupIn
) -> ArticleGroupOut:
    group = await get_owned(
        session, ArticleGroup, principal.tenant_id, group_id, label="Article group"
    )
    group.name = body.name
    await session.commit()
    return ArticleGroupOut.model_validate(group)


@router.delete("/{group_id}", status_code=204)
async def delete_article_group(
    session: SessionDep, principal: OfficeDep, group_id: PathId
) -> Response:
    group = await get_owned(
        session, ArticleGroup, principal.tenant_id, group_id, label="Article group"
    )
    # Articles keep existing without a group; the database's SET NULL does the same.
    await session.execute(
        update(Article).where(Article.article_group_id == group.id).values(article_group_id=None)
    )
    await session.execute(delete(ArticleGroup).where(ArticleGroup.id == group.id))
    await session.commit()
    return Response(status_code=204)
