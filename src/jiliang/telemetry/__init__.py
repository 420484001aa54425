"""Telemetry: meter frames in (DL/T 645-2007, CJ/T 188-2004), readings stored, energy rolled up to tce.

``protocols`` holds the pure frame codecs and ``energy`` the GB/T 2589 standard-coal coefficients;
neither imports Django.
"""
