"""The seeds' stack as an anchor figure: FastAPI + uvicorn (uvloop, httptools) + asyncpg.

One durable insert per alert (PostgreSQL, synchronous_commit on, as PATRIOT's ingest), the
alert's id as the primary key (a duplicate is answered 200 and changes nothing), then 202.
Run by bench/anchor.ts:  /usr/bin/python3 -m uvicorn fastapi_app:app --workers 2 --loop uvloop --http httptools
with DATABASE_URL and WEBHOOK_SECRET in the environment.
"""
import json
import os

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
SECRET = os.environ.get("WEBHOOK_SECRET", "anchor-secret")
pool = None


@app.on_event("startup")
async def startup() -> None:
    global pool
    # the table is created by bench/anchor.ts before the workers start
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=4, max_size=16)


@app.post("/webhook")
async def webhook(request: Request) -> JSONResponse:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"error": "invalid_json"}, status_code=400)
    if not isinstance(body, dict) or body.get("secret") != SECRET or not isinstance(body.get("id"), str):
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    stored = {k: v for k, v in body.items() if k != "secret"}
    async with pool.acquire() as conn:
        inserted = await conn.execute(
            "INSERT INTO alerts (id, body) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING", body["id"], json.dumps(stored)
        )
    if inserted.endswith(" 0"):
        return JSONResponse({"status": "duplicate", "id": body["id"]}, status_code=200)
    return JSONResponse({"status": "accepted", "id": body["id"]}, status_code=202)
