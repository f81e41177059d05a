"""Batch checking: CSV files of many patients' medication lists."""
