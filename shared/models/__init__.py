"""Every table, imported here so that Alembic's metadata sees them all."""

from shared.models.forms import FormTemplate, FormTemplateVersion, WorkOrderForm
from shared.models.idempotency import IdempotencyKey
from shared.models.integration import Integration, InvoiceExport
from shared.models.integration_setup import (
    IntegrationLogEntry,
    IntegrationSettings,
    IntegrationSettingsVersion,
    OAuthState,
    RompslompConnection,
    RompslompRequestBucket,
    SyncRun,
    SyncState,
)
from shared.models.master_data import (
    Article,
    ArticleGroup,
    ContactPerson,
    Customer,
    CustomerObject,
    WorkAddress,
)
from shared.models.outbox import OutboxEvent
from shared.models.tenants import ApiKey, Employee, Tenant, WorkOrderCounter
from shared.models.work_orders import Material, TimeEntry, WorkOrder, WorkOrderSignature

__all__ = [
    "ApiKey",
    "Article",
    "ArticleGroup",
    "ContactPerson",
    "Customer",
    "CustomerObject",
    "Employee",
    "FormTemplate",
    "FormTemplateVersion",
    "IdempotencyKey",
    "Integration",
    "IntegrationLogEntry",
    "IntegrationSettings",
    "IntegrationSettingsVersion",
    "InvoiceExport",
    "Material",
    "OAuthState",
    "OutboxEvent",
    "RompslompConnection",
    "RompslompRequestBucket",
    "SyncRun",
    "SyncState",
    "Tenant",
    "TimeEntry",
    "WorkAddress",
    "WorkOrder",
    "WorkOrderCounter",
    "WorkOrderForm",
    "WorkOrderSignature",
]
