#!/usr/bin/python3
"""Prints one stored mail as JSON for watchpost's email tests, parsed by Python's own MIME
parser: {"subject", "from", "to", "parts": [{"content_type", "body"}]} (bodies decoded).

usage: parse_mail.py FILE
"""

import email
import email.policy
import json
import sys


def main():
    with open(sys.argv[1], "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    parts = [
        {"content_type": part.get_content_type(), "body": part.get_content()}
        for part in message.walk()
        if not part.is_multipart()
    ]
    print(json.dumps({
        "subject": str(message["Subject"]),
        "from": str(message["From"]),
        "to": [str(address) for address in message["To"].addresses],
        "content_type": message.get_content_type(),
        "parts": parts,
    }))


if __name__ == "__main__":
    main()
