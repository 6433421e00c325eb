"""Sponsors: organisations that vouch for their members and invite them in bulk (issue 26).

registry: the sponsor, its users, its approval by a reviewer. member_file: an uploaded CSV or XLSX read into rows
of text, or refused as a whole. member_rows: every row checked at once against Raasta's own rules. imports: the
upload kept as a draft until clean, then one invitation per row. invitations: what the member sees, corrects and
consents to. progress: the only thing a sponsor may read about its members.
"""
