"""Every code the address engine can emit, as named constants.

Parsing refusals are `EntryError.code`; classification results are `Finding.code`.
Forms, the API and templates match on these constants, never on message text.
"""

# --- Parsing refusals (EntryError.code) -----------------------------------------------
EMPTY = "syntax.empty"
TOO_LONG = "syntax.too_long"
NON_ASCII = "syntax.non_ascii"
ZONE_ID = "syntax.zone_id"
LEADING_ZERO = "syntax.leading_zero"
HEX = "syntax.hex"
SHORT_FORM = "syntax.short_form"
OCTET_RANGE = "syntax.octet_out_of_range"
INVALID_ADDRESS = "syntax.invalid_address"
PREFIX_INVALID = "syntax.prefix_invalid"
PREFIX_RANGE = "syntax.prefix_out_of_range"
HOST_BITS = "syntax.host_bits"
RANGE_SHAPE = "syntax.range_shape"
RANGE_ORDER = "syntax.range_order"
MIXED_VERSIONS = "syntax.mixed_versions"

SYNTAX_CODES = (
    EMPTY, TOO_LONG, NON_ASCII, ZONE_ID, LEADING_ZERO, HEX, SHORT_FORM, OCTET_RANGE,
    INVALID_ADDRESS, PREFIX_INVALID, PREFIX_RANGE, HOST_BITS, RANGE_SHAPE, RANGE_ORDER,
    MIXED_VERSIONS,
)

# --- Classification findings (Finding.code) -------------------------------------------
SPECIAL_PURPOSE = "address.special_purpose"   # touches an IANA special-purpose block
NOT_GLOBAL_UNICAST = "address.not_global_unicast"  # IPv6 outside 2000::/3
TOO_BROAD = "address.too_broad"
COUNTRY_FOREIGN = "geo.outside_pakistan"
COUNTRY_MIXED = "geo.mixed_countries"
COUNTRY_UNKNOWN = "geo.country_unknown"
ASN_INFO = "geo.asn"
GEO_DATA_MISSING = "geo.data_unavailable"

FINDING_CODES = (
    SPECIAL_PURPOSE, NOT_GLOBAL_UNICAST, TOO_BROAD, COUNTRY_FOREIGN, COUNTRY_MIXED,
    COUNTRY_UNKNOWN, ASN_INFO, GEO_DATA_MISSING,
)

HOME_COUNTRY = "PK"
