"""A HubSpot stand-in: the CRM v3 object and v4 association endpoints `hubspot-api-client` calls
for a lead push, in HubSpot's request and response formats, with failures on demand.

Objects (contacts, deals, notes) live in memory; `associations` are stored both ways, as
HubSpot does. `fail_next[(method, path prefix)] = n` answers the next n matching requests with
HTTP 500 *after* doing nothing, or `fail_after[...]` after doing the work (a write that
happened although the client saw an error: the hard case for idempotency).
"""

from __future__ import annotations

import http.server
import itertools
import json
import re
import threading
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "pat-na1-standin-token"


class HubSpotStandIn:
    def __init__(self) -> None:
        self.objects: Dict[str, Dict[str, Dict[str, Any]]] = defaultdict(dict)
        self.associations: Dict[Tuple[str, str, str], List[Tuple[str, int]]] = defaultdict(list)
        self.requests: List[Tuple[str, str]] = []
        self.fail_next: Dict[Tuple[str, str], int] = {}
        self.fail_after: Dict[Tuple[str, str], int] = {}
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "HubSpotStandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the tests look at ------------------------------------------------------------

    def all(self, kind: str) -> List[Dict[str, Any]]:
        return list(self.objects[kind].values())

    def associated(self, kind: str, object_id: str, to_kind: str) -> List[str]:
        return [to for to, _ in self.associations[(kind, object_id, to_kind)]]

    # --- HubSpot's formats -----------------------------------------------------------------

    @staticmethod
    def _object(obj: Dict[str, Any], wanted: Optional[List[str]] = None) -> Dict[str, Any]:
        props = obj["properties"]
        if wanted:
            props = {k: v for k, v in props.items() if k in wanted or k == "hs_object_id"}
        return {"id": obj["id"], "properties": props, "createdAt": obj["createdAt"],
                "updatedAt": obj["updatedAt"], "archived": False}

    def _create(self, kind: str, body: Dict[str, Any]) -> Tuple[int, Any]:
        props = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        if kind == "contacts" and props.get("email"):
            if any(o["properties"].get("email", "").lower() == props["email"].lower()
                   for o in self.objects["contacts"].values()):
                return 409, {"status": "error", "category": "CONFLICT",
                             "message": "Contact already exists."}
        now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        object_id = str(next(self._ids))
        obj = {"id": object_id, "properties": {**props, "hs_object_id": object_id},
               "createdAt": now, "updatedAt": now}
        self.objects[kind][object_id] = obj
        for association in body.get("associations") or []:
            to_id = str(association["to"]["id"])
            type_id = int(association["types"][0]["associationTypeId"])
            to_kind = {3: "contacts", 202: "contacts", 214: "deals"}[type_id]
            self.associations[(kind, object_id, to_kind)].append((to_id, type_id))
            self.associations[(to_kind, to_id, kind)].append((object_id, type_id))
        return 201, self._object(obj)

    def _find(self, kind: str, object_id: str, id_property: Optional[str]) -> Optional[Dict[str, Any]]:
        if id_property:
            for obj in self.objects[kind].values():
                if obj["properties"].get(id_property, "").lower() == object_id.lower():
                    return obj
            return None
        return self.objects[kind].get(object_id)

    def handle(self, method: str, url: str, body: Any) -> Tuple[int, Any]:
        parts = urlsplit(url)
        path, query = parts.path, parse_qs(parts.query)
        for table, after in ((self.fail_next, False), (self.fail_after, True)):
            for (m, prefix), left in list(table.items()):
                if left > 0 and m == method and path.startswith(prefix):
                    table[(m, prefix)] = left - 1
                    if after:
                        self.handle_ok(method, path, query, body)
                    return 500, {"status": "error", "category": "INTERNAL_ERROR",
                                 "message": "stand-in failure"}
        return self.handle_ok(method, path, query, body)

    def handle_ok(self, method: str, path: str, query: Dict[str, List[str]], body: Any) -> Tuple[int, Any]:
        match = re.fullmatch(r"/crm/v4/objects/(\w+)/([^/]+)/associations/(\w+)", path)
        if match and method == "GET":
            kind, object_id, to_kind = match.groups()
            results = [{"toObjectId": int(to), "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]}
                for to, type_id in self.associations[(kind, object_id, to_kind)]]
            return 200, {"results": results}
        match = re.fullmatch(r"/crm/v3/objects/(\w+)", path)
        if match and method == "POST":
            return self._create(match.group(1), body or {})
        match = re.fullmatch(r"/crm/v3/objects/(\w+)/([^/]+)", path)
        if match:
            kind, object_id = match.group(1), unquote(match.group(2))
            obj = self._find(kind, object_id, (query.get("idProperty") or [None])[0])
            if obj is None:
                return 404, {"status": "error", "category": "OBJECT_NOT_FOUND",
                             "message": "resource not found"}
            if method == "GET":
                wanted = ",".join(query.get("properties") or []).split(",") if query.get("properties") else None
                return 200, self._object(obj, wanted)
            if method == "PATCH":
                obj["properties"].update({k: str(v) for k, v in (body.get("properties") or {}).items()})
                return 200, self._object(obj)
        return 404, {"status": "error", "message": f"no stand-in for {method} {path}"}

    def _handler(self) -> type:
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    status, payload = 401, {"status": "error", "category": "INVALID_AUTHENTICATION"}
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    raw = self.rfile.read(length) if length else b""
                    body = json.loads(raw) if raw else None
                    with standin._lock:
                        standin.requests.append((self.command, self.path))
                        status, payload = standin.handle(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve  # noqa: N815

        return Handler
