"""Where a topic's partitions end: the offset the next record will get, per partition.

A fetch response carries each partition's high watermark, and that is what is read here,
not ListOffsets alone: the embedded broker (Tansu 0.6) answers ListOffsets with the offset
after the first record of the last batch written, so a producer that batches makes a topic
look shorter than it is. Reading from just before that answer brings the true end back in
the fetch. On Apache Kafka both agree.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

_FETCH_TIMEOUT_S = 10.0


async def end_offsets(bootstrap_servers: str, topic: str) -> dict[int, int]:
    """Partition → end offset of ``topic`` now."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_bytes=1024 * 1024,
        max_partition_fetch_bytes=64 * 1024,
    )
    await consumer.start()
    try:
        await consumer.topics()  # the metadata of every topic, this one's partitions included
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        listed = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        for partition, end in listed.items():
            consumer.seek(partition, max(end - 1, 0))
        deadline = asyncio.get_running_loop().time() + _FETCH_TIMEOUT_S
        while any(consumer.highwater(p) is None for p in partitions):
            if asyncio.get_running_loop().time() > deadline:
                break
            await consumer.getmany(*partitions, timeout_ms=200)
        return {p.partition: max(listed[p], consumer.highwater(p) or 0) for p in partitions}
    finally:
        await consumer.stop()
