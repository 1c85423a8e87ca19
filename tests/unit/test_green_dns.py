"""A service resolves a broker's name afresh at each connection (shared.green): a node
whose container stopped is not tried at its old address for the DNS answer's TTL."""
import socket
import threading

import dns.message
import dns.rrset
import pytest
from eventlet.support import greendns


class StubDns:
    """A DNS server on 127.0.0.1 that answers every A question with `address`, for
    600 s, as Docker's embedded DNS does for a container's name."""

    def __init__(self):
        self.address = "10.0.0.1"
        self.questions = 0
        self.stopping = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def stop(self):
        self.stopping = True
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.sendto(b"", ("127.0.0.1", self.port))
        self.thread.join(5)
        self.sock.close()

    def _serve(self):
        while True:
            wire, peer = self.sock.recvfrom(4096)
            if self.stopping:
                return
            query = dns.message.from_wire(wire)
            answer = dns.message.make_response(query)
            question = query.question[0]
            if question.rdtype == dns.rdatatype.A:
                self.questions += 1
                answer.answer.append(dns.rrset.from_text(question.name, 600, "IN", "A",
                                                         self.address))
            self.sock.sendto(answer.to_wire(), peer)


@pytest.fixture
def stub_dns():
    stub = StubDns()
    stub.thread.start()
    resolver = greendns.resolver._resolver
    saved = resolver.nameservers, resolver.port, resolver.search
    resolver.nameservers, resolver.port, resolver.search = ["127.0.0.1"], stub.port, []
    try:
        yield stub
    finally:
        resolver.nameservers, resolver.port, resolver.search = saved
        stub.stop()


def addresses(name):
    return {info[4][0] for info in socket.getaddrinfo(name, 5672, socket.AF_INET,
                                                      socket.SOCK_STREAM)}


def test_the_process_resolves_with_eventlets_green_resolver():
    # What the next test says is about this resolver: the one a service process uses.
    assert socket.getaddrinfo is greendns.getaddrinfo


# eventlet's resolver calls dnspython's older name for resolve().
@pytest.mark.filterwarnings("ignore:please use dns.resolver.Resolver.resolve")
def test_a_node_that_moved_is_found_at_its_new_address_before_the_ttl_ends(stub_dns):
    assert addresses("rabbitmq-1.dombinnov.test") == {"10.0.0.1"}
    stub_dns.address = "10.0.0.2"  # the container stopped; its name answers anew
    assert addresses("rabbitmq-1.dombinnov.test") == {"10.0.0.2"}
    assert stub_dns.questions == 2
