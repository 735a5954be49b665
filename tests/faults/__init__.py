"""Delivery under faults: killed processes, failing and hanging messenger servers."""
