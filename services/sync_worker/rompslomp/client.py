"""Our client for the Rompslomp REST API (one instance per connection / tenant).

Holds one long-lived ``httpx.AsyncClient`` (its own, or a shared one passed in), the
connection's ``RompslompAuth`` and the tenant's ``RequestBudget``.

Retries: GETs are retried on 429 / 5xx / timeouts / transport errors with exponential
backoff and full jitter (``RetryPolicy``); a 429 pauses the whole tenant for
``Retry-After``. POSTs are retried only when the request provably did not reach Rompslomp
(connect failures, 429, refresh failures before sending); anything else that leaves the
outcome unknown raises ``AmbiguousOutcomeError`` for the caller to reconcile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
import orjson
import pydantic_core
import structlog
from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from .auth import (
    DEFAULT_REFRESH_MARGIN,
    RefreshGuard,
    RompslompAuth,
    TokenRotatedCallback,
    TokenSet,
    token_url_for,
)
from .budget import RequestBudget
from .errors import (
    AmbiguousOutcomeError,
    FatalError,
    RateLimitedError,
    RetriableError,
    RompslompError,
    TenantPausedError,
    error_from_response,
    excerpt,
)
from .paging import MAX_PER_PAGE, Page, PageIterator, Rejected
from .schemas import (
    Company,
    Contact,
    Me,
    Product,
    SalesInvoice,
    SalesInvoiceCreate,
    VatType,
)
from .transport import http_client

log = structlog.get_logger("services.sync_worker.rompslomp.client")

DEFAULT_API_URL = "https://api.rompslomp.nl"
API_PREFIX = "/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = "simon-rompslomp-sync/0.1"

# Failures that prove the request never reached the server: safe to resend even a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

ProbeResource = Literal["contacts", "products", "sales_invoices", "vat_types"]
ContactSelection = Literal["all", "customers", "suppliers"]
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")  # what a listing's records are validated as: a model or a TypedDict


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try. Backoff is full jitter:
    ``uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))``."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A Retry-After (or a tenant pause) longer than this is not slept through: the error
    # goes to the caller with ``retry_after`` set (a job goes back to the queue scheduled
    # for that moment, an interactive call answers 503); the tenant stays paused.
    max_retry_after: float = 5.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class RompslompClient:
    def __init__(
        self,
        *,
        auth: RompslompAuth,
        api_url: str = DEFAULT_API_URL,
        budget: RequestBudget | None = None,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        per_page: int = MAX_PER_PAGE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api_root = api_url.rstrip("/") + API_PREFIX
        self._auth = auth
        self._budget = budget or RequestBudget()
        self._retry = retry or RetryPolicy()
        self._per_page = per_page
        self._sleep = sleep
        self._owns_http = http is None
        if http is None:
            # Room for every budget slot plus a token refresh running beside them.
            slots = self._budget.max_concurrency + 2
            http = http_client(
                max_connections=slots,
                max_keepalive_connections=slots,
                timeout=timeout,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            )
        self._http = http
        auth.bind(http)

    @classmethod
    def connect(
        cls,
        *,
        tokens: TokenSet,
        client_id: str,
        client_secret: SecretStr | str,
        on_token_rotated: TokenRotatedCallback,
        api_url: str = DEFAULT_API_URL,
        oauth_url: str | None = None,
        refresh_margin: dt.timedelta = DEFAULT_REFRESH_MARGIN,
        refresh_guard: RefreshGuard | None = None,
        budget: RequestBudget | None = None,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> RompslompClient:
        """Client plus auth for one connection; the token endpoint is
        ``{oauth_url or api_url}/oauth/token``."""
        auth = RompslompAuth(
            tokens,
            token_url=token_url_for(oauth_url or api_url),
            client_id=client_id,
            client_secret=client_secret,
            on_token_rotated=on_token_rotated,
            refresh_margin=refresh_margin,
            refresh_guard=refresh_guard,
        )
        return cls(
            auth=auth, api_url=api_url, budget=budget, retry=retry, http=http, timeout=timeout
        )

    @property
    def budget(self) -> RequestBudget:
        return self._budget

    @property
    def auth(self) -> RompslompAuth:
        return self._auth

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> RompslompClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- companies and the user ---------------------------------------------------------

    async def list_companies(self) -> list[Company]:
        return await self._paged("/companies", "companies", Company).collect()

    async def me(self) -> Me:
        response = await self._send("GET", "/me")
        return self._parse_one(response, "me", Me)

    # -- contacts -------------------------------------------------------------------------

    def iter_contacts(
        self,
        company_id: int | str,
        *,
        selection: ContactSelection = "all",
        query: str | None = None,
        email: str | None = None,
    ) -> PageIterator[Contact]:
        """Every page of the company's contacts (async iterator of ``Page[Contact]``;
        ``.records()`` for single contacts)."""
        params: dict[str, Any] = {"selection": selection}
        if query is not None:
            params["search[q]"] = query
        if email is not None:
            params["search[contact_person_email_address]"] = email
        return self._paged(_company_path(company_id, "contacts"), "contacts", Contact, params)

    async def get_contact(self, company_id: int | str, contact_id: int | str) -> Contact:
        response = await self._send("GET", _company_path(company_id, f"contacts/{contact_id}"))
        return self._parse_one(response, "contact", Contact)

    # -- products -------------------------------------------------------------------------

    def iter_products(
        self,
        company_id: int | str,
        *,
        query: str | None = None,
        product_codes: Sequence[str] | None = None,
    ) -> PageIterator[Product]:
        params: dict[str, Any] = {"selection": "all"}
        if query is not None:
            params["search[q]"] = query
        if product_codes:
            params["search[product_codes][]"] = list(product_codes)
        return self._paged(_company_path(company_id, "products"), "products", Product, params)

    async def list_products(self, company_id: int | str) -> list[Product]:
        return await self.iter_products(company_id).collect()

    async def get_product(self, company_id: int | str, product_id: int | str) -> Product:
        response = await self._send("GET", _company_path(company_id, f"products/{product_id}"))
        return self._parse_one(response, "product", Product)

    async def find_product_by_code(self, company_id: int | str, code: str) -> Product | None:
        """The product whose ``invoice_line.product_code`` equals ``code`` exactly."""
        response = await self._send(
            "GET",
            _company_path(company_id, "products"),
            params={"search[product_codes][]": [code], "per_page": MAX_PER_PAGE},
        )
        products = self._parse_list(response, "products", Product)
        return next((p for p in products if p.product_code == code), None)

    # -- VAT types ------------------------------------------------------------------------

    async def list_vat_types(
        self, company_id: int | str, *, since: dt.date | None = None
    ) -> list[VatType]:
        params: dict[str, Any] = {"selection": "all"}
        if since is not None:
            params["since"] = since.isoformat()
        path = _company_path(company_id, "vat_types")
        return await self._paged(path, "vat_types", VatType, params).collect()

    # -- sales invoices -------------------------------------------------------------------

    def iter_sales_invoices(
        self,
        company_id: int | str,
        *,
        selection: str = "all",
        date_from: dt.date | None = None,
        date_till: dt.date | None = None,
    ) -> PageIterator[SalesInvoice]:
        """Every page of the company's invoices; ``date_from``/``date_till`` filter on the
        invoice date (``search[from]``/``search[till]``), both inclusive."""
        params: dict[str, Any] = {"selection": selection}
        if date_from is not None:
            params["search[from]"] = date_from.isoformat()
        if date_till is not None:
            params["search[till]"] = date_till.isoformat()
        path = _company_path(company_id, "sales_invoices")
        return self._paged(path, "sales_invoices", SalesInvoice, params)

    async def get_sales_invoice(self, company_id: int | str, invoice_id: int | str) -> SalesInvoice:
        path = _company_path(company_id, f"sales_invoices/{invoice_id}")
        return self._parse_one(await self._send("GET", path), "sales_invoice", SalesInvoice)

    async def create_sales_invoice(
        self, company_id: int | str, invoice: SalesInvoiceCreate
    ) -> SalesInvoice:
        """POST a sales invoice (a concept unless ``invoice.publish``).

        Raises ``AmbiguousOutcomeError`` when the request may have been processed (timeout,
        dropped connection, 5xx): look it up by ``api_reference`` before trying again.
        """
        path = _company_path(company_id, "sales_invoices")
        response = await self._send("POST", path, json_body={"sales_invoice": invoice.to_payload()})
        try:
            return self._parse_one(response, "sales_invoice", SalesInvoice)
        except FatalError as exc:
            # Rompslomp answered 2xx, so the invoice exists; we just cannot read it.
            raise AmbiguousOutcomeError(exc.message, status=response.status_code) from exc

    async def find_sales_invoices_by_api_reference(
        self, company_id: int | str, api_reference: str
    ) -> list[SalesInvoice]:
        """The invoices Rompslomp's ``search[api_reference]`` filter returns (one page of
        100: more than one hit is already an anomaly). The filter is trusted: list results
        need not echo ``api_reference``; confirm a hit with ``get_sales_invoice``."""
        response = await self._send(
            "GET",
            _company_path(company_id, "sales_invoices"),
            params={
                "selection": "all",
                "search[api_reference]": api_reference,
                "per_page": MAX_PER_PAGE,
            },
        )
        return self._parse_list(response, "sales_invoices", SalesInvoice)

    # -- any collection, read as the caller's model ---------------------------------------

    def iter_collection(
        self,
        company_id: int | str,
        resource: ProbeResource,
        model: type[R],
        *,
        selection: str = "all",
    ) -> PageIterator[R]:
        """Every page of a collection validated as ``model`` (e.g. only the fields a sync
        keeps, with the bounds it can store); records that fail land in ``Page.rejected``."""
        path = _company_path(company_id, resource)
        return self._paged(path, resource, model, {"selection": selection})

    # -- probes ---------------------------------------------------------------------------

    async def probe_total(
        self, company_id: int | str, resource: ProbeResource, *, selection: str | None = None
    ) -> int:
        """``X-Total`` of a collection, for one cheap request (``per_page=1``)."""
        params: dict[str, Any] = {"page": 1, "per_page": 1}
        if selection is not None:
            params["selection"] = selection
        response = await self._send("GET", _company_path(company_id, resource), params=params)
        total = _int_header(response, "X-Total")
        if total is None:
            raise FatalError(
                f"GET {response.request.url.path} answered without X-Total",
                status=response.status_code,
                code="missing_total",
            )
        return total

    # -- plumbing -------------------------------------------------------------------------

    def _paged(
        self,
        path: str,
        key: str,
        model: type[R],
        params: Mapping[str, Any] | None = None,
    ) -> PageIterator[R]:
        # The listing's query, encoded by httpx once: a page only appends its number, so
        # httpx parses each page's URL once instead of merging parameters into it anew.
        base = {k: v for k, v in (params or {}).items() if k not in ("page", "per_page")}
        prefix = f"{httpx.QueryParams(base)}&" if base else ""

        async def fetch(number: int, per_page: int) -> Page[R]:
            response = await self._send(
                "GET", path, query=f"{prefix}page={number}&per_page={per_page}"
            )
            items, rejected = self._parse_page(response, key, model)
            return Page(
                number=number,
                per_page=per_page,
                total=_int_header(response, "X-Total"),
                items=items,
                rejected=rejected,
            )

        return PageIterator(
            fetch, per_page=self._per_page, concurrency=self._budget.max_concurrency
        )

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        query: str | None = None,  # already encoded (the paging's), instead of params
        json_body: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        idempotent = method in _IDEMPOTENT
        url = self._api_root + path + (f"?{query}" if query else "")
        path = API_PREFIX + path  # for logs and messages: no host, no query string
        attempt = 0
        while True:
            attempt += 1
            error: RompslompError
            try:
                async with self._budget.slot(max_wait=self._retry.max_retry_after):
                    response = await self._http.request(
                        method, url, params=params, json=json_body, auth=self._auth
                    )
            except httpx.TransportError as exc:
                error = _transport_error(exc, method, path, idempotent=idempotent)
            except TenantPausedError:
                raise  # nothing was sent: not a new 429, so no new pause or slow-down
            except RetriableError as exc:
                # Raised by the auth flow (token refresh) before the request was processed.
                error = exc
            else:
                if response.is_success:
                    return response
                error = error_from_response(response, idempotent=idempotent)

            delay = self._retry_delay(error, attempt)
            if delay is None:
                log.warning(
                    "rompslomp.request.failed",
                    method=method,
                    path=path,
                    status=error.status,
                    code=error.code,
                    error=type(error).__name__,
                    attempt=attempt,
                )
                raise error
            log.info(
                "rompslomp.request.retried",
                method=method,
                path=path,
                status=error.status,
                code=error.code,
                attempt=attempt,
                delay=round(delay, 3),
            )
            if delay > 0:
                await self._sleep(delay)

    def _retry_delay(self, error: RompslompError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up and raise."""
        if not isinstance(error, RetriableError) or isinstance(error, AmbiguousOutcomeError):
            return None
        if isinstance(error, RateLimitedError):
            wait = error.retry_after
            if wait is None:
                wait = self._retry.backoff(attempt)
            # Pause the whole tenant, even when we are about to give up.
            self._budget.pause_for(wait)
            if attempt >= self._retry.attempts or wait > self._retry.max_retry_after:
                return None
            return 0.0  # the budget holds every request of the tenant until the pause ends
        if attempt >= self._retry.attempts:
            return None
        delay = self._retry.backoff(attempt)
        if error.retry_after is not None:
            if error.retry_after > self._retry.max_retry_after:
                return None
            delay = max(delay, error.retry_after)
        return delay

    def _parse_one(self, response: httpx.Response, key: str, model: type[M]) -> M:
        value = _unwrap(response, key)
        try:
            return model.model_validate(value)
        except PydanticValidationError as exc:
            raise _unexpected_body(response, f"invalid {key}: {exc}") from exc

    def _parse_list(self, response: httpx.Response, key: str, model: type[R]) -> list[R]:
        return self._parse_page(response, key, model)[0]

    def _parse_page(
        self, response: httpx.Response, key: str, model: type[R]
    ) -> tuple[list[R], list[Rejected]]:
        """The page's records and the ones that did not validate. pydantic-core parses and
        validates the page's bytes in one pass (a third of the client's CPU per page went to
        json.loads plus 100 validate calls); only a page that fails is read record by record,
        so one odd record costs its page nothing but itself."""
        content = _without_nul(response.content)
        try:
            envelope = _list_envelope(model).validate_json(content)  # type: ignore[arg-type]  # a class is hashable
        except PydanticValidationError:
            return _record_by_record(response, content, key, model)
        if key not in envelope:
            raise _unexpected_body(response, f"body lacks {key!r}")
        return envelope[key], []


# A page's JSON repeats every key a hundred times and its values hardly ever: interning the
# values too (pydantic's default, "all") costs a quarter of the page's validation.
_PAGE_CONFIG = ConfigDict(cache_strings="keys")


@functools.cache
def _list_envelope(model: type[R]) -> TypeAdapter[dict[str, list[R]]]:
    return TypeAdapter(dict[str, list[model]], config=_PAGE_CONFIG)  # type: ignore[valid-type]


# A JSON-escaped NUL (`\u0000`) not itself escaped (`\\u0000` is the text "\u0000").
_ESCAPED_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def _without_nul(content: bytes) -> bytes:
    """The body without NUL characters in its strings: PostgreSQL's text cannot hold them
    and nothing a person typed needs them. A plain search first: most bodies have none."""
    if b"\\u0000" not in content:
        return content
    return _ESCAPED_NUL.sub(rb"\1", content)


def _record_by_record(
    response: httpx.Response, content: bytes, key: str, model: type[R]
) -> tuple[list[R], list[Rejected]]:
    try:
        # pydantic-core's parser, as the first pass used: integers beyond 64 bits stay exact.
        envelope = pydantic_core.from_json(content)
    except ValueError as exc:
        raise _unexpected_body(response, "body is not JSON") from exc
    records = envelope.get(key) if isinstance(envelope, dict) else None
    if not isinstance(records, list):
        raise _unexpected_body(response, f"body lacks a list {key!r}")
    adapter = _record_adapter(model)  # type: ignore[arg-type]  # a class is hashable
    items: list[R] = []
    rejected: list[Rejected] = []
    for raw in records:
        try:
            items.append(adapter.validate_python(raw))
        except PydanticValidationError as exc:
            errors = [dict(error) for error in exc.errors(include_url=False)]
            rejected.append(Rejected(id=_record_id(raw), errors=errors, raw=raw))
    return items, rejected


@functools.cache
def _record_adapter(model: type[R]) -> TypeAdapter[R]:
    return TypeAdapter(model)


def _record_id(raw: Any) -> int | None:
    """The id of a record that failed validation, when it is a usable integer."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return None
    return value


def _company_path(company_id: int | str, rest: str) -> str:
    return f"/companies/{company_id}/{rest}"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _unwrap(response: httpx.Response, key: str) -> Any:
    try:
        body = orjson.loads(_without_nul(response.content))
    except orjson.JSONDecodeError as exc:
        raise _unexpected_body(response, "body is not JSON") from exc
    if not isinstance(body, dict) or key not in body:
        raise _unexpected_body(response, f"body lacks {key!r}")
    return body[key]


def _unexpected_body(response: httpx.Response, why: str) -> FatalError:
    request = response.request
    return FatalError(
        excerpt(f"{request.method} {request.url.path} -> {response.status_code}: {why}"),
        status=response.status_code,
        code="unexpected_body",
    )


def _transport_error(
    exc: httpx.TransportError, method: str, path: str, *, idempotent: bool
) -> RompslompError:
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "transport"
    text = f"{method} {path}: {type(exc).__name__}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FatalError(text, code="unsupported_protocol")
    if not idempotent and not isinstance(exc, _NOT_SENT):
        return AmbiguousOutcomeError(text, code=kind)
    return RetriableError(text, code=kind)
