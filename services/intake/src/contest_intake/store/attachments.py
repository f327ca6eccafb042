"""Attached files in MongoDB GridFS (``attachments.files`` and ``attachments.chunks``).

Files are streamed in chunk by chunk with their SHA-256 computed on the way, and the
upload is aborted (its chunks deleted) the moment it grows past the contest's limit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.envelope import new_event_id
from contest_contracts.events.applications import AttachmentRef
from contest_runtime.mongo import Document


class AttachmentTooLarge(Exception):
    """The file is larger than the contest allows."""


class AttachmentFiles:
    """The GridFS bucket of application attachments."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.bucket = AsyncGridFSBucket(db, bucket_name="attachments")
        self.chunks: AsyncCollection[Document] = db["attachments.chunks"]

    async def upload(
        self,
        application_id: str,
        filename: str,
        media_type: str,
        body: AsyncIterator[bytes],
        max_bytes: int,
    ) -> AttachmentRef:
        """Store ``body``; ``AttachmentTooLarge`` (and nothing stored) past ``max_bytes``."""
        attachment_id = new_event_id()
        digest = hashlib.sha256()
        size = 0
        upload = self.bucket.open_upload_stream_with_id(
            attachment_id,
            filename,
            metadata={"application_id": application_id, "media_type": media_type},
        )
        try:
            async for chunk in body:
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge(f"larger than {max_bytes} bytes")
                digest.update(chunk)
                await upload.write(chunk)
        except BaseException:
            # Deleting the chunks directly: GridIn.abort() also deletes the file document,
            # which is not written yet, and some MongoDB-compatible stores refuse that.
            await self.chunks.delete_many({"files_id": attachment_id})
            raise
        await upload.close()
        return AttachmentRef(
            attachment_id=attachment_id,
            filename=filename,
            media_type=media_type,
            size_bytes=size,
            sha256=digest.hexdigest(),
        )

    async def delete(self, attachment_id: str) -> None:
        """Remove a file; a file already gone is fine."""
        with contextlib.suppress(NoFile):
            await self.bucket.delete(attachment_id)

    async def open(self, attachment_id: str) -> AsyncIterator[bytes] | None:
        """The bytes of a file as a stream of chunks, or None if there is no such file."""
        try:
            stream = await self.bucket.open_download_stream(attachment_id)
        except NoFile:
            return None

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await stream.readchunk():
                yield chunk
            await stream.close()

        return chunks()
