"""An SMTP server for the channel tests (test_channel.cpp): aiosmtpd on 127.0.0.1, on a port
the OS chooses.

    python3 smtp_sink.py HOLD [REFUSED_ADDRESS...]

Prints the port as its first line, then serves until its stdin is closed; then prints one
line per accepted message and recipient, "CONNECTION RECIPIENT", CONNECTION numbering the
connections in the order they sent their first MAIL FROM. Every reply to DATA is held until
HOLD connections have sent MAIL FROM (at most 20 s), so a test of parallel sending knows how
many connections it gets whatever the scheduler does. A REFUSED_ADDRESS is answered 550 at
RCPT.
"""

import asyncio
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, hold, refused):
        self.hold = hold
        self.refused = set(refused)
        self.sessions = []  # the session objects themselves: a freed one's id could recur
        self.accepted = []  # (connection number, recipient)

    def connection(self, session):
        for number, seen in enumerate(self.sessions):
            if seen is session:
                return number
        self.sessions.append(session)
        return len(self.sessions) - 1

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.connection(session)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for _ in range(2000):
            if len(self.sessions) >= self.hold:
                break
            await asyncio.sleep(0.01)
        number = self.connection(session)
        for recipient in envelope.rcpt_tos:
            self.accepted.append((number, recipient))
        return "250 Message accepted for delivery"


def main():
    sink = Sink(int(sys.argv[1]), sys.argv[2:])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))

    class SocketController(Controller):
        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=sock)

    controller = SocketController(sink, hostname="127.0.0.1", port=sock.getsockname()[1])
    controller.start()
    print(sock.getsockname()[1], flush=True)
    sys.stdin.read()
    controller.stop()
    for number, recipient in sink.accepted:
        print(number, recipient)


if __name__ == "__main__":
    main()
