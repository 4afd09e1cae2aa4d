"""Blink-feature data: the open recording format, the generator, validation, splits, windows.

The data layer of the pre-training and fine-tuning parts (source theses 000 and 001): one row
per blink, nine blink features (plus optional calibration features), a KSS label per blink
where one was reported, recordings grouped by driver.
"""
