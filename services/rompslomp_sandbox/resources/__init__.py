"""The ``/api/v1`` resources of the sandbox, one module per resource."""
