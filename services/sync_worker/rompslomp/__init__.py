"""Rompslomp API client used by the sync worker."""

from .auth import RefreshGuard, RompslompAuth, TokenRotatedCallback, TokenSet, token_url_for
from .budget import BudgetRegistry, RequestBudget
from .client import DEFAULT_API_URL, RetryPolicy, RompslompClient
from .errors import (
    AmbiguousOutcomeError,
    AuthRevokedError,
    FatalError,
    FieldError,
    NotFoundError,
    RateLimitedError,
    RetriableError,
    RompslompError,
    TokenPersistError,
)
from .paging import Page, PageIterator
from .schemas import (
    AccessControl,
    CachedContact,
    Company,
    Contact,
    Me,
    Product,
    ProductInvoiceLine,
    SalesInvoice,
    SalesInvoiceCreate,
    SalesInvoiceLine,
    SalesInvoiceLineCreate,
    VatType,
)

__all__ = [
    "DEFAULT_API_URL",
    "AccessControl",
    "AmbiguousOutcomeError",
    "AuthRevokedError",
    "BudgetRegistry",
    "CachedContact",
    "Company",
    "Contact",
    "FatalError",
    "FieldError",
    "Me",
    "NotFoundError",
    "Page",
    "PageIterator",
    "Product",
    "ProductInvoiceLine",
    "RateLimitedError",
    "RefreshGuard",
    "RequestBudget",
    "RetriableError",
    "RetryPolicy",
    "RompslompAuth",
    "RompslompClient",
    "RompslompError",
    "SalesInvoice",
    "SalesInvoiceCreate",
    "SalesInvoiceLine",
    "SalesInvoiceLineCreate",
    "TokenPersistError",
    "TokenRotatedCallback",
    "TokenSet",
    "VatType",
    "token_url_for",
]
