"""The roles of jiliang's users (DOMAIN.md, 'Who uses it'). Pure: no Django imports."""

from enum import StrEnum


class Role(StrEnum):
    PROVINCIAL_BUREAU = "provincial_bureau"
    CITY_BUREAU = "city_bureau"
    COUNTY_BUREAU = "county_bureau"
    INSTITUTE = "institute"
    ENTERPRISE = "enterprise"


BUREAU_ROLES = frozenset({Role.PROVINCIAL_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})
# Roles whose scope is a region subtree rather than one organisation.
REGIONAL_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})
