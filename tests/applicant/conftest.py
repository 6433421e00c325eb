import hashlib
import tracemalloc

import pytest

FIRM = {"kind": "firm", "name": "Indus Soft (Pvt) Ltd", "ntn": "1234567-8", "city": "Lahore",
        "phone": "0300-1234567", "isp_name": "Nayatel", "isp_subscriber_id": "NT-998877"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


@pytest.fixture
def applicant(applicant_with):
    """An applicant with a firm profile and an API client."""
    return applicant_with(FIRM)


@pytest.fixture
def draft(applicant):
    """A draft application with three entries and one endpoint; returns its JSON."""
    response = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client in Germany", "category": "company_vpn",
        "entries": ["39.32.12.0/24", "111.68.96.10", "2400:adc0:100::/48"],
        "endpoints": [{"host": "vpn.indussoft.pk", "protocol": "wireguard", "port": 51820, "peer": "client.de"}],
    })
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def submittable(applicant, draft):
    """The draft with the NTN certificate its category (company VPN) needs, so it can be submitted."""
    import io

    response = applicant.post(f"/api/v1/applications/{draft['id']}/documents",
                              data={"kind": "ntn_certificate", "file": (io.BytesIO(PDF), "ntn.pdf")})
    assert response.status_code == 201, response.json
    return draft


def streamed_download(client, url: str) -> tuple[str, list[int], int]:
    """GET `url` as a stream: the body's sha256, the size of each chunk as it came, and the most memory this
    process held at once meanwhile (tracemalloc), which a download that reads a whole file would give away."""
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        digest, sizes = hashlib.sha256(), []
        for chunk in response.response:
            digest.update(chunk)
            sizes.append(len(chunk))
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return digest.hexdigest(), sizes, peak
