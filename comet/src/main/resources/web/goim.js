/*
 * goim WebSocket client, dependency-free.
 *
 *   const client = new GoimClient("ws://127.0.0.1:8090/sub", {
 *     token: 42,                          // v1: sent as the JSON `body` of op 7
 *     // or a goim v2 login: {mid, key, room_id, platform, accepts}
 *     // login: {mid: 123, key: "web-123", room_id: "live://1000", platform: "web", accepts: [1000]},
 *     nodesUrl: "http://127.0.0.1:7172",  // optional: ask logic's /goim/nodes/weighted which comet
 *     onPush: (body, proto) => {...},     // every push body (parsed JSON); proto.op is its operation
 *     onState: (state, detail) => {...},  // "connecting" | "authenticated" | "disconnected"
 *   });
 *   client.connect();
 *   client.joinRoom("live://2000").then(rooms => ...);    // Promise: rooms the connection is in now
 *   client.leaveRoom("live://2000");  client.changeRoom("live://3000");
 *   client.subscribe([1001]);  client.unsubscribe([1000]); // v2 logins
 *   client.sendMessage({text: "hi"}).then(reply => ...);  // op 4, resolved by the op 5 of its seq
 *   client.close();
 *
 * Protocol (docs/protocol.md): each client frame is one JSON object
 * {"ver":1,"op":N,"seq":N,"body":...}; each server frame is a JSON array of such objects.
 * Auth is op 7 (reply op 8), heartbeat op 2 (reply op 3), pushes arrive as op 5 (v1) or a
 * backend's operation (v2). Requests (rooms: ops 12/18/20, accepts: ops 14/16, messages:
 * op 4) carry a seq of their own; their Promise resolves on the server's reply of that seq,
 * and rejects (an Error with `ret` for the server's refusals) on a refusal, after
 * requestTimeoutMs, or when the connection closes first: none is left hanging.
 *
 * After a lost connection the client reconnects with exponential backoff and full jitter,
 * so a crowd of clients dropped together does not come back all at once, logs in again
 * and puts the connection back where it was: a v2 login names its first room and accepted
 * operations itself, further rooms are joined again; "authenticated" is reported once done.
 */
(function (global) {
  "use strict";

  var OP_HEARTBEAT = 2, OP_HEARTBEAT_REPLY = 3, OP_SEND_MSG = 4, OP_SEND_MSG_REPLY = 5,
      OP_DISCONNECT_REPLY = 6, OP_AUTH = 7, OP_AUTH_REPLY = 8, OP_CHANGE_ROOM = 12,
      OP_SUB = 14, OP_UNSUB = 16, OP_JOIN_ROOM = 18, OP_LEAVE_ROOM = 20;
  var MAX_ACCEPTS = 64;

  function refusal(ret, msg) {
    var e = new Error(msg + " (ret " + ret + ")");
    e.ret = ret;
    return e;
  }

  function GoimClient(url, options) {
    options = options || {};
    this.url = url;
    this.token = options.token === undefined ? {} : options.token;
    this.login = options.login || null;
    this.nodesUrl = options.nodesUrl || null;
    this.heartbeatMs = options.heartbeatMs || 4 * 60 * 1000;
    this.requestTimeoutMs = options.requestTimeoutMs || 10000;
    this.baseMs = options.backoffBaseMs || 500;
    this.maxMs = options.backoffMaxMs || 30000;
    this.onPush = options.onPush || function () {};
    this.onState = options.onState || function () {};
    this.seq = 0;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.loggedIn = false;
    this.authenticated = false;
    this.heartbeat = null;
    this.retry = null;
    this.pending = {};
    this.round = [];
    this.currentUrl = null;
    // What a new connection is put back to (see docs/protocol.md, "Rooms"): the first room
    // (null: the server's authenticator chose it), further rooms, rooms left while the first
    // is unknown, and a v2 login's accepted operations.
    this.first = this.login ? (this.login.room_id || "") : null;
    this.further = [];
    this.leftUnknown = [];
    this.accepts = this.login ? normalized(this.login.accepts || []) : [];
  }

  function normalized(ops) {
    var seen = {}, out = [];
    ops.forEach(function (op) { if (!seen[op]) { seen[op] = true; out.push(op); } });
    return out.sort(function (a, b) { return a - b; });
  }

  function without(list, x) {
    return list.filter(function (y) { return y !== x; });
  }

  GoimClient.prototype.nextSeq = function () {
    this.seq = this.seq >= 2147483647 ? 1 : this.seq + 1;
    return this.seq;
  };

  /** Sends one packet if connected (seq of its own; a reply with seq 0 or unmatched reaches onPush). */
  GoimClient.prototype.send = function (op, body) {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ver: 1, op: op, seq: this.nextSeq(), body: body === undefined ? {} : body}));
    }
  };

  GoimClient.prototype.request = function (op, body) {
    var self = this;
    return new Promise(function (resolve, reject) {
      if (self.closed || !self.ws || self.ws.readyState !== 1 || !self.loggedIn) {
        reject(new Error(self.closed ? "client closed" : "not connected"));
        return;
      }
      var seq = self.nextSeq();
      var timer = setTimeout(function () {
        if (self.pending[seq]) {
          delete self.pending[seq];
          reject(new Error("no reply to op " + op + " (seq " + seq + ") within " + self.requestTimeoutMs + " ms"));
        }
      }, self.requestTimeoutMs);
      self.pending[seq] = {replyOp: op + 1, resolve: resolve, reject: reject, timer: timer};
      self.ws.send(JSON.stringify({ver: 1, op: op, seq: seq, body: body}));
    });
  };

  GoimClient.prototype.failPending = function (why) {
    var pending = this.pending;
    this.pending = {};
    Object.keys(pending).forEach(function (seq) {
      clearTimeout(pending[seq].timer);
      pending[seq].reject(new Error(why));
    });
  };

  function roomReply(body) {
    if (!body || typeof body !== "object" || body.ret !== 1) {
      throw refusal(body && body.ret, (body && body.msg) || "refused");
    }
    return body.rooms;
  }

  /** Joins one more room (op 18 → 19); resolves with how many rooms the connection is in now. */
  GoimClient.prototype.joinRoom = function (room) {
    var self = this;
    return this.request(OP_JOIN_ROOM, String(room)).then(function (body) {
      var rooms = roomReply(body);
      self.leftUnknown = without(self.leftUnknown, room);
      if (room !== self.first) {
        if (self.first === "") {
          self.first = room; // as comet: the first room when it has none
        } else if (self.further.indexOf(room) < 0) {
          self.further.push(room);
        }
      }
      return rooms;
    });
  };

  /** Leaves one room, the first or a further one (op 20 → 21); resolves with the rooms left. */
  GoimClient.prototype.leaveRoom = function (room) {
    var self = this;
    return this.request(OP_LEAVE_ROOM, String(room)).then(function (body) {
      var rooms = roomReply(body);
      if (room === self.first) {
        self.first = "";
      } else {
        self.further = without(self.further, room);
        if (self.first === null && self.leftUnknown.indexOf(room) < 0) {
          self.leftUnknown.push(room); // perhaps the login's room: left again after a reconnect
          self.leftUnknown = self.leftUnknown.slice(-64);
        }
      }
      return rooms;
    });
  };

  /** goim v2's change room (op 12 → 13): leaves the first room for `room` ("" leaves it). */
  GoimClient.prototype.changeRoom = function (room) {
    var self = this;
    room = String(room);
    return this.request(OP_CHANGE_ROOM, room).then(function (body) {
      var echoed = typeof body === "string" ? body : "";
      if (echoed !== room) {
        throw refusal(65534, "room key \"" + room + "\" refused");
      }
      self.first = room;
      self.further = without(self.further, room);
      self.leftUnknown = [];
    });
  };

  GoimClient.prototype.watch = function (op, ops) {
    var self = this;
    if (!this.login) {
      // comet closes a v1 connection that sends op 14 or 16.
      return Promise.reject(new Error("operations are subscribed by goim v2 logins only"));
    }
    ops = normalized([].concat(ops));
    if (ops.length === 0) {
      return Promise.reject(new Error("no operations given"));
    }
    if (op === OP_SUB && normalized(this.accepts.concat(ops)).length > MAX_ACCEPTS) {
      return Promise.reject(new Error("a connection accepts at most " + MAX_ACCEPTS + " operations"));
    }
    return this.request(op, ops.join(",")).then(function () {
      self.accepts = op === OP_SUB ? normalized(self.accepts.concat(ops))
          : self.accepts.filter(function (a) { return ops.indexOf(a) < 0; });
    });
  };

  /** goim v2's subscribe (op 14 → 15): pushes of `ops` (a number or an array) reach the client too. */
  GoimClient.prototype.subscribe = function (ops) {
    return this.watch(OP_SUB, ops);
  };

  /** goim v2's unsubscribe (op 16 → 17). */
  GoimClient.prototype.unsubscribe = function (ops) {
    return this.watch(OP_UNSUB, ops);
  };

  /**
   * Sends a message for backends (op 4); resolves with its acknowledgement's body, the op 5
   * of the same seq ({"ret":1} once Kafka took it; the message itself in echo mode), and
   * rejects on a refusal {"ret":<not 1>,"msg":...} (rate limited, busy: try again).
   */
  GoimClient.prototype.sendMessage = function (body) {
    return this.request(OP_SEND_MSG, body === undefined ? {} : body).then(function (reply) {
      if (reply && typeof reply === "object" && typeof reply.ret === "number" && reply.ret !== 1) {
        throw refusal(reply.ret, reply.msg || "message refused");
      }
      return reply;
    });
  };

  /** The rooms the client knows it is in, the first first. */
  GoimClient.prototype.rooms = function () {
    return (this.first ? [this.first] : []).concat(this.further);
  };

  /** The auth body: the v1 token, or the v2 login with the client's current room and accepts. */
  GoimClient.prototype.loginBody = function () {
    if (!this.login) {
      return this.token;
    }
    var body = {};
    Object.keys(this.login).forEach(function (k) { body[k] = this.login[k]; }, this);
    if (!this.login.token) {
      body.room_id = this.first || "";
    }
    body.accepts = this.accepts.slice();
    return body;
  };

  GoimClient.prototype.connect = function () {
    this.closed = false;
    this.startRound();
  };

  /** One round of attempts: logic's comets (with nodesUrl) best first, then the configured URL. */
  GoimClient.prototype.startRound = function () {
    var self = this;
    if (self.closed) {
      return;
    }
    if (!self.nodesUrl || typeof fetch !== "function") {
      self.round = [self.url];
      self.tryNext();
      return;
    }
    var configured = new URL(self.url);
    var kind = configured.protocol === "wss:" ? "wss" : "websocket";
    var done = false;
    var finish = function (urls) {
      if (done) { return; }
      done = true;
      self.round = urls.filter(function (u) { return u !== self.url; }).concat([self.url]);
      self.tryNext();
    };
    var timer = setTimeout(function () { finish([]); }, 5000);
    fetch(self.nodesUrl.replace(/\/+$/, "") + "/goim/nodes/weighted?platform=web").then(function (r) {
      return r.json();
    }).then(function (answer) {
      clearTimeout(timer);
      var urls = [];
      ((answer && answer.code === 0 && answer.data && answer.data.comets) || []).forEach(function (comet) {
        (comet[kind] || []).forEach(function (address) {
          urls.push(configured.protocol + "//" + address + configured.pathname + configured.search);
        });
      });
      finish(urls);
    }, function () {
      clearTimeout(timer);
      finish([]); // logic not reachable: the configured URL alone
    });
  };

  GoimClient.prototype.tryNext = function () {
    var self = this;
    if (self.closed) {
      return;
    }
    var url = self.round.shift();
    self.currentUrl = url;
    self.onState("connecting", url);
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      self.next(e.message, false);
      return;
    }
    self.ws = ws;
    var everLoggedIn = false;
    ws.onopen = function () {
      self.send(OP_AUTH, self.loginBody());
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
        var pending = p.seq ? self.pending[p.seq] : null;
        if (pending && pending.replyOp === p.op) {
          delete self.pending[p.seq];
          clearTimeout(pending.timer);
          pending.resolve(p.body);
          return;
        }
        switch (p.op) {
          case OP_AUTH_REPLY:
            everLoggedIn = true;
            self.loggedIn = true;
            clearInterval(self.heartbeat);
            self.heartbeat = setInterval(function () { self.send(OP_HEARTBEAT, {}); }, self.heartbeatMs);
            self.restore(ws);
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
      if (self.ws !== ws) {
        return; // a connection this client already gave up
      }
      clearInterval(self.heartbeat);
      self.ws = null;
      self.loggedIn = false;
      self.authenticated = false;
      self.failPending("connection closed (" + event.code + ")");
      self.next("closed (" + event.code + ")", everLoggedIn);
    };
  };

  /** After the login: the first room (when the login cannot name it), rooms left, further rooms. */
  GoimClient.prototype.restore = function (ws) {
    var self = this;
    var steps = [];
    var loginNamesRoom = self.login && !self.login.token;
    if (self.first !== null && !loginNamesRoom) {
      steps.push(self.request(OP_CHANGE_ROOM, self.first));
    }
    if (self.first === null) {
      self.leftUnknown.forEach(function (room) { steps.push(self.request(OP_LEAVE_ROOM, room)); });
    }
    self.further.forEach(function (room) {
      steps.push(self.request(OP_JOIN_ROOM, room).then(function (body) {
        if (!body || body.ret !== 1) {
          self.further = without(self.further, room); // taken before, refused now
        }
      }));
    });
    Promise.all(steps.map(function (s) { return s.catch(function (e) { return e; }); })).then(function () {
      if (self.ws !== ws || !self.loggedIn) {
        return; // closed meanwhile: the next connection does it again
      }
      self.attempt = 0;
      self.authenticated = true;
      self.onState("authenticated", self.currentUrl);
    });
  };

  /** After a closed connection: the round's next URL at once, else a new round after the backoff. */
  GoimClient.prototype.next = function (why, wasLoggedIn) {
    if (wasLoggedIn) {
      this.round = []; // the comets may have changed: ask again
    }
    if (!this.closed && this.round.length > 0) {
      this.onState("disconnected", why + "; trying " + this.round[0]);
      this.tryNext();
    } else {
      this.scheduleReconnect(why);
    }
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
    this.retry = setTimeout(function () { self.startRound(); }, delay);
  };

  GoimClient.prototype.close = function () {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.failPending("client closed");
    if (this.ws) {
      this.ws.close();
    }
  };

  global.GoimClient = GoimClient;
})(typeof window !== "undefined" ? window : this);
