"""A stand-in for Rasa's socketio channel (python-socketio 5 server, aiohttp), for widget tests
that need to control the server: scripted replies, a delay to see the typing indicator, and
stop/start on the same port to test reconnection. The protocol is Rasa's (session_persistence):
session_request -> session_confirm, user_uttered -> bot_uttered to the session's room.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

import socketio
from aiohttp import web

from tests.web.conftest import free_port

GREETING = {
    "text": "Hi! I'm **Carrier Advisor**, a virtual assistant.\nWhat can I do for you?",
    "quick_replies": [
        {"content_type": "text", "title": "Compare carriers", "payload": "/compare"},
        {"content_type": "text", "title": "Talk to an agent", "payload": "/human"},
    ],
}
FORMATTED = {
    "text": (
        "Here is **what we found**:\n"
        "- Lumen for the primary line\n"
        "* Zayo as a pilot\n"
        "Next steps:\n"
        "1. Keep Lumen\n"
        "2. Trial Zayo\n"
        "Details: https://example.com/plan?a=1&b=2. "
        "[Our guide](https://example.com/guide) and [bad](javascript:alert(1)) "
        "and javascript:alert(2)"
    )
}


class FakeRasaSocket:
    def __init__(self, port: Optional[int] = None, reply_delay: float = 0.6) -> None:
        self.port = port or free_port()
        self.reply_delay = reply_delay
        self.received: List[Dict[str, Any]] = []
        self.sessions: List[str] = []
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self._transports: Set[asyncio.BaseTransport] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replies(self, message: str) -> List[Dict[str, Any]]:
        if message == "/greet":
            return [GREETING]
        if message == "/compare":
            return [{"text": "Great. Where are your offices?"}]
        if message == "/human":
            return [{"text": "Connecting you with an advisor."}]
        if message == "format please":
            return [FORMATTED]
        return [{"text": f"You said: {message}"}]

    def _build(self) -> web.Application:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")

        @web.middleware
        async def track(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
            if request.transport is not None:
                self._transports.add(request.transport)
            return await handler(request)

        app = web.Application(middlewares=[track])
        sio.attach(app, socketio_path="socket.io")

        async def health(_request: web.Request) -> web.Response:
            return web.Response(text="Hello from Rasa: 3.6.21 (fake)")

        app.router.add_get("/", health)

        @sio.on("session_request")
        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            entered = sio.enter_room(sid, session_id)
            if inspect.isawaitable(entered):  # a coroutine since python-socketio 5.10
                await entered
            self.sessions.append(session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Dict[str, Any]) -> None:
            self.received.append(dict(data))
            session_id = data.get("session_id")
            if not session_id:
                return

            async def answer() -> None:
                await asyncio.sleep(self.reply_delay)
                for reply in self.replies(str(data.get("message", ""))):
                    await sio.emit("bot_uttered", reply, room=session_id)

            asyncio.ensure_future(answer())

        return app

    def start(self) -> "FakeRasaSocket":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._runner = web.AppRunner(self._build(), shutdown_timeout=1.0)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
            loop.run_until_complete(site.start())
            ready.set()
            loop.run_forever()
            # Finish what the dropped connections left behind, so nothing dies with the loop.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake socket.io server did not start")
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection (clients see a dropped connection)."""
        if self._loop is None:
            return

        async def shutdown() -> None:
            for transport in list(self._transports):
                transport.abort()  # like a network drop: no goodbye packets
            self._transports.clear()
            assert self._runner is not None
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None
