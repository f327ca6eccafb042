"""A no-op endpoint shaped like the vote path: same server, same route and body, no work.
The benchmark's baseline for what the HTTP layer alone can do on this machine."""

from __future__ import annotations

import sys
import uuid

import uvicorn
from fastapi import FastAPI, Header
from pydantic import BaseModel

app = FastAPI(title="no-op baseline")


class VoteForm(BaseModel):
    """The vote path's body."""

    nomination_code: str
    application_id: str


@app.post("/contests/{contest_id}/votes", status_code=202)
async def vote(contest_id: str, form: VoteForm, authorization: str = Header()) -> dict[str, str]:
    """Accept anything and do nothing."""
    return {"receipt_id": uuid.uuid4().hex, "status": "accepted"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
