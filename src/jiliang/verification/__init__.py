"""Verification (检定): conformity rules per regulation edition and Digital Calibration Certificates.

Pure sub-packages (no Django imports):

* :mod:`jiliang.verification.rules` -- maximum permissible errors (MPE) as versioned data, one JSON
  file per regulation edition, and the decision rules of ILAC-G8:09/2019 with the specific risks of
  JCGM 106:2012 9.3.
* :mod:`jiliang.verification.dcc` -- PTB's Digital Calibration Certificate (DCC 3.1.2 with D-SI 2.1.0):
  plain dataclasses, an XML writer and reader, a D-SI unit-string parser and XSD validation against
  schemas read from a configured directory.
"""
