/*
 * goim WebSocket client, dependency-free.
 *
 *   const client = new GoimClient("ws://127.0.0.1:8090/sub", {
 *     token: 42,                          // sent as the JSON `body` of op 7
 *     onPush: (body, proto) => {...},     // every op 5 body (parsed JSON)
 *     onState: (state, detail) => {...},  // "connecting" | "authenticated" | "disconnected"
 *   });
 *   client.connect();  ...  client.close();
 *
 * Protocol: each client frame is one JSON object {"ver":1,"op":N,"seq":N,"body":...};
 * each server frame is a JSON array of such objects. Auth is op 7 (reply op 8),
 * heartbeat op 2 (reply op 3), pushes arrive as op 5. After a lost connection the
 * client reconnects with exponential backoff and full jitter, so a crowd of clients
 * dropped together does not come back all at once.
 */
(function (global) {
  "use strict";

  var OP_HEARTBEAT = 2, OP_HEARTBEAT_REPLY = 3, OP_SEND_MSG_REPLY = 5,
      OP_DISCONNECT_REPLY = 6, OP_AUTH = 7, OP_AUTH_REPLY = 8;

  function GoimClient(url, options) {
    options = options || {};
    this.url = url;
    this.token = options.token === undefined ? {} : options.token;
    this.heartbeatMs = options.heartbeatMs || 4 * 60 * 1000;
    this.baseMs = options.backoffBaseMs || 500;
    this.maxMs = options.backoffMaxMs || 30000;
    this.onPush = options.onPush || function () {};
    this.onState = options.onState || function () {};
    this.seq = 0;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.heartbeat = null;
    this.retry = null;
  }

  GoimClient.prototype.send = function (op, body) {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ver: 1, op: op, seq: ++this.seq, body: body === undefined ? {} : body}));
    }
  };

  GoimClient.prototype.connect = function () {
    var self = this;
    self.closed = false;
    self.onState("connecting", self.url);
    var ws;
    try {
      ws = new WebSocket(self.url);
    } catch (e) {
      self.scheduleReconnect(e.message);
      return;
    }
    self.ws = ws;
    ws.onopen = function () {
      self.send(OP_AUTH, self.token);
    };
    ws.onmessage = function (event) {
      var protos;
      try {
        protos = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!Array.isArray(protos)) {
        protos = [protos];
      }
      protos.forEach(function (p) {
        switch (p.op) {
          case OP_AUTH_REPLY:
            self.attempt = 0;
            self.onState("authenticated", "");
            clearInterval(self.heartbeat);
            self.heartbeat = setInterval(function () { self.send(OP_HEARTBEAT, {}); }, self.heartbeatMs);
            break;
          case OP_HEARTBEAT_REPLY:
            break;
          case OP_DISCONNECT_REPLY:
            ws.close();
            break;
          case OP_SEND_MSG_REPLY:
          default:
            self.onPush(p.body, p);
        }
      });
    };
    ws.onclose = function (event) {
      clearInterval(self.heartbeat);
      if (self.ws === ws) {
        self.ws = null;
      }
      self.scheduleReconnect("closed (" + event.code + ")");
    };
  };

  GoimClient.prototype.scheduleReconnect = function (why) {
    if (this.closed) {
      this.onState("disconnected", why);
      return;
    }
    var ceiling = Math.min(this.maxMs, this.baseMs * Math.pow(2, Math.min(this.attempt++, 20)));
    var delay = Math.floor(Math.random() * (ceiling + 1));
    this.onState("disconnected", why + "; retrying in " + delay + " ms");
    var self = this;
    clearTimeout(this.retry);
    this.retry = setTimeout(function () { self.connect(); }, delay);
  };

  GoimClient.prototype.close = function () {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    if (this.ws) {
      this.ws.close();
    }
  };

  global.GoimClient = GoimClient;
})(typeof window !== "undefined" ? window : this);
