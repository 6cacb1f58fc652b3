"""Tests of the service: unit tests beside the code's layers, integration tests over HTTP."""
