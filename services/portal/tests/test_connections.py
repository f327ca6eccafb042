"""The stack of connections the portal keeps to a service, against a small real HTTP/1.1
server on loopback that counts the connections it is given and can close them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from contest_local.embedded import free_port
from contest_portal.services.connections import StackedConnections

pytestmark = pytest.mark.asyncio


class Service:
    """Answers every request with its path; ``close`` makes it close after each answer,
    ``hold`` waits that long before answering."""

    def __init__(self) -> None:
        self.connections = 0
        self.close = False
        self.hold = 0.0
        self.port = free_port()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while line := await reader.readline():
                path = line.split()[1]
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                await asyncio.sleep(self.hold)
                closing = b"Connection: close\r\n" if self.close else b""
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + closing
                    + b"Content-Length: %d\r\n\r\n%s" % (len(path) + 2, b'"' + path + b'"')
                )
                await writer.drain()
                if self.close:
                    break
        finally:
            writer.close()


@pytest_asyncio.fixture
async def service() -> AsyncIterator[Service]:
    running = Service()
    server = await asyncio.start_server(running.serve, "127.0.0.1", running.port)
    async with server:
        yield running


def client(service: Service, most: int = 4, keepalive_s: float = 2.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{service.port}",
        transport=StackedConnections(most, keepalive_s),
        timeout=httpx.Timeout(5.0),
    )


async def test_requests_one_after_another_share_one_connection(service: Service) -> None:
    async with client(service) as portal:
        for number in range(20):
            answer = await portal.post(f"/votes/{number}", json={"n": number})
            assert answer.json() == f"/votes/{number}"
    assert service.connections == 1


async def test_at_most_the_given_connections_and_a_wait_for_one_is_bounded(
    service: Service,
) -> None:
    service.hold = 0.1
    async with client(service, most=3) as portal:
        answers = await asyncio.gather(*(portal.get(f"/{n}") for n in range(9)))
        assert [a.json() for a in answers] == [f"/{n}" for n in range(9)]
        assert service.connections == 3
        service.hold = 1.0
        # the fourth waits a whole answer (1 s) for one of three connections: far past 0.3
        bounded = httpx.Timeout(5.0, pool=0.3)
        with pytest.raises(httpx.PoolTimeout):
            await asyncio.gather(*(portal.get("/slow", timeout=bounded) for _ in range(4)))


async def test_a_connection_the_service_closed_or_kept_too_long_is_replaced(
    service: Service,
) -> None:
    async with client(service, keepalive_s=0.2) as portal:
        service.close = True
        for number in range(3):
            assert (await portal.get(f"/{number}")).status_code == 200
        assert service.connections == 3
        service.close = False
        await portal.get("/kept")
        await asyncio.sleep(0.3)  # past the portal's keep-alive: dropped before it is used
        assert (await portal.get("/again")).status_code == 200
        assert service.connections == 5


async def test_a_service_that_does_not_answer_is_an_httpx_error() -> None:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{free_port()}", transport=StackedConnections(2)
    ) as portal:
        with pytest.raises(httpx.ConnectError):
            await portal.get("/")


async def test_a_stream_goes_through_a_connection_of_its_own(service: Service) -> None:
    async with client(service) as portal:
        await portal.get("/first")
        async with portal.stream(
            "GET", "/stream", headers={"Accept": "text/event-stream"}
        ) as stream:
            assert await stream.aread() == b'"/stream"'
    assert service.connections == 2
