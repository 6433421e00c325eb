"""Fees: some categories cost money once an applicant reaches a number of addresses.

schedule: the amounts per category with the dates they take effect (admins add rows, never edit them).
rule: whether an application owes a fee, and why (its addresses with those already approved for its applicant).
references: the 17-digit payment reference and its check digit.
charges: the fee made due at submission, renewal of an expired reference, what an approval must wait for.
settlement: marking a reference paid (the aggregator's callback, an admin, or the embedded bank command).
callbacks: the aggregator's signed callback, checked and logged whatever its outcome.
receipts: the PDF receipt. reconciliation: references by state, and their CSV.
"""
