"""A service's replies go through one connection per container, without publisher
confirms (shared.rpc.ReplyConnection): a connection the broker closed between two
replies is noticed before the next one, which arrives."""
from nameko.standalone.rpc import ClusterRpcProxy

from shared.rpc import rpc
from tests.support.tcp_proxy import TcpProxy


class Echo:
    name = "echo"

    @rpc
    def echo(self, value):
        return value


def test_a_reply_after_the_broker_dropped_the_reply_connection_arrives(
        proxy, container_factory, broker_uri, caplog):
    """The broker restarted (here: every connection of the service broken) after the
    service replied once: its reply connection is dead. The next call is answered, not
    written into the dead socket and lost while its caller waits its timeout."""
    container = container_factory(Echo, {"AMQP_URI": proxy.uri_for(broker_uri)})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as cluster:
        assert cluster.echo.echo("before") == "before"  # the reply connection is open

        proxy.cut()  # open connections broken, as by a broker restart
        proxy.restore()

        # Queued until the service's consumer is back; answered through a new connection.
        assert cluster.echo.echo("after") == "after"
        assert [cluster.echo.echo(n) for n in range(20)] == list(range(20))
    assert "RPC reply lost" not in caplog.text


def test_concurrent_replies_each_reach_their_caller(container_factory, broker_uri):
    """Replies of concurrent workers share the connection, one write at a time: each
    caller gets its own answer."""
    container = container_factory(Echo, {"AMQP_URI": broker_uri, "max_workers": 10})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as cluster:
        replies = [cluster.echo.echo.call_async("x" * (n * 10_000)) for n in range(30)]
        assert [reply.result() for reply in replies] == ["x" * (n * 10_000) for n in range(30)]


def test_replies_go_to_the_next_address_when_the_first_is_away(
        proxy, container_factory, broker_uri):
    """AMQP_URI names a cluster's nodes: the reply connection tries each in turn, as
    the service's consumer does, when the one it used is away."""
    dead = TcpProxy(*proxy.target).start()
    dead.cut()
    addresses = f"{dead.uri_for(broker_uri)};{proxy.uri_for(broker_uri)}"
    container = container_factory(Echo, {"AMQP_URI": addresses})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as cluster:
        assert cluster.echo.echo("first") == "first"
        proxy.cut()
        proxy.restore()
        assert cluster.echo.echo("after") == "after"
