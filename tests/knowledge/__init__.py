"""Tests of the knowledge package: ingestion, segmentation, retrieval, the numeric rules and the catalogue."""
