# Django's own vi locale sets NUMBER_GROUPING = 0: Vietnamese groups thousands with "."
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
