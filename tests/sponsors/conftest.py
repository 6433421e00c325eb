import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def make_sponsor(db, make_user):
    """make_sponsor(name="P@SHA", approved=True) -> (sponsor, its sponsor user)."""
    import io

    from werkzeug.datastructures import FileStorage

    from app.choices import SponsorPaper, SponsorState
    from app.services.sponsors.papers import store_paper
    from app.services.sponsors.registry import create_sponsor_user, decide, update_details
    from tests.applicant.conftest import PDF

    counter = iter(range(1, 1000))

    def make(name: str | None = None, approved: bool = True):
        n = next(counter)
        user = create_sponsor_user(f"sponsor{n}@example.pk", PASSWORD, name or f"Sponsor {n}")
        sponsor = user.sponsor
        update_details(sponsor, f"SECP-{n}", "Ayesha Khan", "35202-1234567-1")
        for kind in SponsorPaper.ALL:
            store_paper(sponsor, kind, FileStorage(io.BytesIO(PDF + kind.encode()), f"{kind}.pdf"), user)
        if approved:
            decide(sponsor, SponsorState.APPROVED, None, make_user(role="reviewer"))
        db.session.commit()
        return sponsor, user

    return make


HEADER = "name,cnic,email,mobile,operator,isp,subscriber_id,addresses,purpose\n"


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode()
