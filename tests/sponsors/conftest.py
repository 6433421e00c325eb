HEADER = "name,cnic,email,mobile,operator,isp,subscriber_id,addresses,purpose\n"


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode()
