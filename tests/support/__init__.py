"""Helpers the tests of every service share (plain modules, no fixtures): the test database
(tests.support.database), tenants' keys (tests.support.tenants), services as real
processes (tests.support.processes)."""
