"""Subscriptions: a connection (a mobile number, or a fixed-line or broadband account) registered instead of an
address, for freelancers whose address changes every time they connect.

Starts at inputs.parse_subscriptions (the applicant's draft, from the web form or the API); a mobile number is
then proven by an SMS code before submission; validation checks each against every approved and pending one;
the operator serving it confirms it; once approved it is in that operator's feed of each whitelist version.
"""
