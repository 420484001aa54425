"""The value toolkit: pure modules (no Django imports) that every app uses for the same job.

* :mod:`.decimals` -- a Decimal as people write it (no exponent, no trailing zeros).
* :mod:`.canonical` -- canonical JSON bytes for hashes and signatures.
* :mod:`.chunks` -- a sequence or iterable cut into lists of at most n items.
* :mod:`.dates` -- calendar months and the last day of a validity.
"""
