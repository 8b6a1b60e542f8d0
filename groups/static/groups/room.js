// The live room of a session: one WebSocket at /ws/sessions/<id>/, frames as in docs/room-protocol.md.
//
// Promises this client keeps:
// - Messages are text. Everything a person wrote reaches the page through textContent, never HTML.
// - Each message shows once, in `seq` order. The last seq seen is kept; after a reconnect, or when a
//   message arrives with a gap before it, the client asks for what it missed with `resume`.
// - A message is "sending…" until the server's `ack` (or its broadcast with the same client_id)
//   says it is stored. Unacknowledged messages are sent again after a reconnect with the SAME
//   client_id, so the server stores each one once. An `error` about a message marks it "not sent",
//   with the reason and a retry button: it is never shown as sent.
// - Refusals (close codes 4401, 4403, 4404, 4409, 4410, 4411) stop the client with the server's
//   reason; any other drop reconnects with exponential backoff (1 s doubling to 30 s, jittered).
(function () {
  "use strict";

  var REFUSAL_CODES = [4401, 4403, 4404, 4409, 4410, 4411];
  var PING_EVERY_MS = 25000;
  // No pong for this long: the connection is dead even if the browser has not noticed yet.
  var PONG_TIMEOUT_MS = 2 * PING_EVERY_MS + 10000;
  // A message neither acknowledged nor refused this long after it went out is sent again (same id).
  var RESEND_AFTER_MS = 15000;
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    // randomUUID needs a secure context; plain-http development hosts get the same v4 format.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function Room(root) {
    this.root = root;
    this.texts = JSON.parse(document.getElementById("room-texts").textContent);
    this.userId = Number(root.dataset.userId);
    this.role = root.dataset.role;
    this.maxLength = Number(root.dataset.maxLength) || 2000;
    this.url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + root.dataset.socketPath;
    this.timeFormat = this.makeTimeFormat(root.dataset.timeZone);

    this.log = document.getElementById("room-log");
    this.connection = document.getElementById("room-connection");
    this.facts = document.getElementById("room-facts");
    this.stoppedBox = document.getElementById("room-stopped");
    this.notice = document.getElementById("room-notice");
    this.composer = document.getElementById("room-composer");
    this.body = document.getElementById("room-body");
    this.sendButton = document.getElementById("room-send");
    this.reason = document.getElementById("room-composer-reason");
    this.count = document.getElementById("room-body-count");
    this.presence = document.getElementById("room-presence");

    this.socket = null;
    this.welcomed = false;        // this connection has had its `welcome`
    this.joinHistorySeen = false; // this connection's first `history` (the last 50) has arrived
    this.everConnected = false;
    this.stopped = false;
    this.paused = false;          // the page went into the browser's page cache
    this.attempt = 0;
    this.reconnectTimer = null;
    this.reconnectAt = 0;
    this.pingTimer = null;
    this.lastPongAt = 0;
    this.lastSeq = 0;             // every message up to this seq is on the page
    this.hasBaseline = false;
    this.resumePending = false;
    this.bySeq = new Map();       // seq -> <li>
    this.pending = new Map();     // client_id -> {clientId, body, li, status, sentAt}
    this.you = null;
    this.facilitatorPresent = false;
    this.state = null;
    this.participants = [];
    this.checkedIn = false;
    this.checkedOut = false;
    this.livePaused = false;      // the server said live chat is paused (its channel layer is down)
    this.safetyNotices = new Map(); // message id -> note, for leaders: a message that raised a crisis alert
  }

  Room.prototype.t = function (key, values) {
    var text = this.texts[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  };

  Room.prototype.makeTimeFormat = function (zone) {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try { return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: zone }, options)); } catch (e) {
      return new Intl.DateTimeFormat(undefined, options);
    }
  };

  Room.prototype.formatTime = function (iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" : this.timeFormat.format(date);
  };

  // --------------------------------------------------------------------------- the socket

  Room.prototype.start = function () {
    var room = this;
    this.bindUi();
    window.addEventListener("online", function () { room.reconnectNow(); });
    window.addEventListener("offline", function () { if (!room.stopped) { room.setConnection(room.t("offline")); } });
    window.addEventListener("pagehide", function () {
      if (room.stopped) { return; }
      room.paused = true;
      room.stopped = true;
      clearTimeout(room.reconnectTimer);
      if (room.socket) { room.socket.close(1000); }
    });
    window.addEventListener("pageshow", function (event) {
      // Back from the browser's page cache: the old socket is gone, so join again and resume.
      if (event.persisted && room.paused) { room.paused = false; room.stopped = false; room.connect(); }
    });
    this.connect();
  };

  Room.prototype.connect = function () {
    if (this.stopped) { return; }
    var room = this;
    this.reconnectTimer = null;
    this.welcomed = false;
    this.joinHistorySeen = false;
    this.refusal = null;
    this.setConnection(this.t("connecting"));
    var socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", function () {
      room.lastPongAt = Date.now();
      room.startPinging();
    });
    socket.addEventListener("message", function (event) {
      if (room.socket !== socket) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === "string") { room.handle(frame); }
    });
    socket.addEventListener("close", function (event) {
      if (room.socket !== socket) { return; } // a socket we already gave up on
      room.socket = null;
      room.onClosed(event.code);
    });
  };

  Room.prototype.onClosed = function (code) {
    this.welcomed = false;
    this.stopPinging();
    if (REFUSAL_CODES.indexOf(code) !== -1) {
      var detail = this.refusal && this.refusal.detail;
      this.stop(detail || this.t("not_connected"));
      return;
    }
    if (this.stopped) { return; }
    this.scheduleReconnect();
  };

  Room.prototype.scheduleReconnect = function () {
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, this.attempt));
    // Jitter, so everyone dropped by one server restart does not come back at the same instant.
    var delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.attempt += 1;
    this.reconnectAt = Date.now() + delay;
    this.setConnection(this.t("reconnecting", { seconds: Math.max(1, Math.round(delay / 1000)) }));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(this.connect.bind(this), delay);
  };

  Room.prototype.reconnectNow = function () {
    // Back online: no need to sit out the rest of the pause.
    if (this.stopped || !this.reconnectTimer) { return; }
    clearTimeout(this.reconnectTimer);
    this.connect();
  };

  Room.prototype.dropSocket = function () {
    // The connection is silently dead: forget it and connect afresh, without waiting for the
    // browser's own close, which can take minutes on a vanished network.
    var socket = this.socket;
    this.socket = null;
    if (socket) { try { socket.close(4000); } catch (e) { /* already closing */ } }
    this.onClosed(1006);
  };

  Room.prototype.stop = function (detail) {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPinging();
    this.setConnection("");
    this.stoppedBox.textContent = detail;
    this.stoppedBox.hidden = false;
    this.setComposerEnabled(false, "");
    this.root.classList.add("room-stopped");
    var trend = this.root.dataset.trendUrl;
    if (trend && this.checkedIn) {
      var link = el("a", "", this.t("trend"));
      link.href = trend;
      this.stoppedBox.appendChild(document.createTextNode(" "));
      this.stoppedBox.appendChild(link);
    }
    // Nothing more can go out: whatever was waiting is "not sent", never left looking sent.
    var room = this;
    this.pending.forEach(function (item) { room.markFailed(item, "", 0, false); });
  };

  Room.prototype.send = function (frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || !this.welcomed) { return false; }
    this.socket.send(JSON.stringify(frame));
    return true;
  };

  Room.prototype.startPinging = function () {
    var room = this;
    this.stopPinging();
    this.pingTimer = setInterval(function () {
      if (Date.now() - room.lastPongAt > PONG_TIMEOUT_MS) { room.dropSocket(); return; }
      room.send({ type: "ping" });
      room.resendStale();
    }, PING_EVERY_MS);
  };

  Room.prototype.stopPinging = function () {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  };

  Room.prototype.setConnection = function (text) {
    if (this.connection.textContent !== text) { this.connection.textContent = text; }
  };

  // --------------------------------------------------------------------------- frames

  Room.prototype.handle = function (frame) {
    this.lastPongAt = Date.now(); // anything from the server shows the connection is alive
    switch (frame.type) {
      case "welcome": this.onWelcome(frame); break;
      case "history": this.onHistory(frame); break;
      case "message": this.onMessage(frame); break;
      case "ack": this.onAck(frame); break;
      case "presence": this.onPresence(frame); break;
      case "state": this.onState(frame); break;
      case "you": this.onYou(frame); break;
      case "system": if (frame.code === "live_resumed") { this.onLiveResumed(frame); } else { this.addSystem(frame.detail); } break;
      case "check_in_summary": this.onSummary(frame); break;
      case "safety_notice": this.onSafetyNotice(frame); break;
      case "error": this.onError(frame); break;
      case "pong": break;
      default: break; // a newer server may say more than this client knows; ignore it
    }
  };

  Room.prototype.onWelcome = function (frame) {
    var reconnect = this.everConnected;
    this.welcomed = true;
    this.everConnected = true;
    this.livePaused = false; // a new connection is live unless the server says otherwise next
    this.attempt = 0;
    this.you = frame.you || {};
    if (this.you.role) { this.role = this.you.role; }
    this.checkedIn = !!this.you.checked_in;
    this.checkedOut = !!this.you.checked_out;
    this.updateCheckButtons();
    var controls = document.getElementById("room-controls");
    if (controls) { controls.hidden = !this.isLeading(); }
    this.onYou(this.you);
    if (frame.session) {
      this.state = Object.assign({}, this.state || {}, {
        locked: frame.session.locked, slow_mode_seconds: frame.session.slow_mode_seconds, ends_at: frame.session.ends_at,
      });
      this.renderFacts();
    }
    this.setConnection(reconnect ? this.t("reconnected") : this.t("connected"));
    if (reconnect && this.hasBaseline) {
      // Ask for everything after the last message we have; the answer fills any hole.
      this.resumePending = true;
      this.send({ type: "resume", after: this.lastSeq });
    }
    // Messages that were never acknowledged go out again, with the same client_id.
    var room = this;
    this.pending.forEach(function (item) { if (item.status === "sending") { room.transmit(item); } });
  };

  Room.prototype.onHistory = function (frame) {
    var messages = Array.isArray(frame.messages) ? frame.messages : [];
    var highest = 0;
    this.log.setAttribute("aria-busy", "true");
    for (var i = 0; i < messages.length; i += 1) {
      this.renderMessage(messages[i]);
      highest = Math.max(highest, messages[i].seq || 0);
    }
    this.log.setAttribute("aria-busy", "false");
    var firstOfConnection = !this.joinHistorySeen;
    this.joinHistorySeen = true;
    if (firstOfConnection && !this.hasBaseline) {
      // The first join: the last messages of the room, and nothing before them is missing for us.
      this.lastSeq = Math.max(this.lastSeq, Number(frame.last_seq) || 0, highest);
      this.hasBaseline = true;
    } else if (!firstOfConnection) {
      // The answer to a `resume`: everything after what we asked for, up to the room's last seq.
      if (frame.more) {
        this.lastSeq = Math.max(this.lastSeq, highest);
        this.send({ type: "resume", after: this.lastSeq });
        return;
      }
      this.resumePending = false;
      this.lastSeq = Math.max(this.lastSeq, Number(frame.last_seq) || 0, highest);
    }
    this.advance();
    this.scrollToEnd(true);
  };

  Room.prototype.onMessage = function (message) {
    if (typeof message.seq !== "number") { return; }
    var nearEnd = this.isNearEnd();
    this.renderMessage(message);
    if (this.hasBaseline && message.seq > this.lastSeq + 1 && !this.resumePending) {
      // A message after a hole: something was missed (a dropped frame); ask for it.
      this.resumePending = true;
      this.send({ type: "resume", after: this.lastSeq });
    }
    this.advance();
    this.scrollToEnd(nearEnd);
  };

  Room.prototype.advance = function () {
    while (this.bySeq.has(this.lastSeq + 1)) { this.lastSeq += 1; }
  };

  Room.prototype.onAck = function (frame) {
    var item = this.pending.get(frame.client_id);
    if (!item) { return; } // already shown through its broadcast
    this.pending.delete(item.clientId);
    if (this.bySeq.has(frame.seq)) { item.li.remove(); return; }
    this.settle(item.li, frame.seq, frame.id);
    this.advance();
    if (frame.show_crisis_panel) { this.showCrisisPanel(); }
  };

  // --------------------------------------------------------------------------- messages

  Room.prototype.renderMessage = function (message) {
    if (this.bySeq.has(message.seq)) { return; } // each seq once
    var author = message.author || {};
    var item = message.client_id ? this.pending.get(message.client_id) : null;
    if (item && author.user_id === this.userId) {
      // Our own message's broadcast arrived before its ack: this is the same message.
      this.pending.delete(item.clientId);
      this.settle(item.li, message.seq, message.id, message);
      return;
    }
    var li = this.messageElement(author, message.body, message.hidden);
    this.fillSent(li, message);
    this.place(li, message.seq);
  };

  Room.prototype.messageElement = function (author, body, hidden) {
    var li = el("li", "room-message");
    var mine = author.user_id === this.userId;
    if (mine) { li.classList.add("room-message-mine"); }
    if (author.role === "facilitator" || author.role === "moderator") { li.classList.add("room-message-leading"); }
    var meta = el("p", "room-message-meta");
    meta.appendChild(el("strong", "room-author", author.display_name || ""));
    if (mine) { meta.appendChild(el("span", "tag", this.t("you"))); }
    if (author.role === "facilitator" || author.role === "moderator") {
      meta.appendChild(el("span", "tag", this.t("role_" + author.role)));
    }
    meta.appendChild(el("time", "room-time"));
    meta.appendChild(el("span", "room-message-state"));
    li.appendChild(meta);
    var text = el("p", "room-message-body");
    if (hidden) {
      text.classList.add("removed");
      text.textContent = this.t("hidden");
    } else {
      text.textContent = body; // text, never HTML
    }
    li.appendChild(text);
    li.appendChild(el("div", "room-message-actions"));
    return li;
  };

  Room.prototype.fillSent = function (li, message) {
    li.dataset.seq = String(message.seq);
    if (message.id) { li.dataset.messageId = String(message.id); }
    this.attachSafetyNotice(li);
    var time = li.querySelector(".room-time");
    if (message.sent_at) {
      time.dateTime = message.sent_at;
      time.textContent = this.formatTime(message.sent_at);
    }
    var author = message.author || {};
    var actions = li.querySelector(".room-message-actions");
    actions.textContent = "";
    if (message.hidden || !message.id) { return; }
    if (author.user_id !== this.userId) {
      var report = el("button", "link-button", this.t("report"));
      report.type = "button";
      report.dataset.action = "report";
      report.setAttribute("aria-label", this.t("report_message", { name: author.display_name || "" }));
      actions.appendChild(report);
    }
    if (this.isLeading()) {
      var pin = el("button", "link-button", this.t("pin"));
      pin.type = "button";
      pin.dataset.action = "pin";
      actions.appendChild(pin);
    }
  };

  Room.prototype.settle = function (li, seq, id, message) {
    li.classList.remove("room-message-pending", "room-message-failed");
    li.querySelector(".room-message-state").textContent = "";
    var sent = message || { seq: seq, id: id, author: { user_id: this.userId }, sent_at: new Date().toISOString() };
    this.fillSent(li, sent);
    this.place(li, seq);
  };

  Room.prototype.place = function (li, seq) {
    // Order by seq; system notices stay where they happened; our unsent messages stay last.
    var ref = this.log.querySelector(".room-message-pending");
    var node = ref ? ref.previousElementSibling : this.log.lastElementChild;
    while (node) {
      if (node === li) { node = node.previousElementSibling; continue; }
      if (node.dataset.seq) {
        if (Number(node.dataset.seq) > seq) { ref = node; } else { break; }
      } else if (!ref || !ref.dataset.seq) {
        break; // a notice newer than every message: the new message goes after it
      }
      node = node.previousElementSibling;
    }
    if (ref === li) { ref = li.nextElementSibling; }
    this.log.insertBefore(li, ref);
    this.bySeq.set(seq, li);
  };

  Room.prototype.addSystem = function (detail) {
    if (!detail) { return; }
    var nearEnd = this.isNearEnd();
    var li = el("li", "room-system");
    li.appendChild(el("p", "", detail));
    this.log.insertBefore(li, this.log.querySelector(".room-message-pending"));
    this.scrollToEnd(nearEnd);
  };

  Room.prototype.isNearEnd = function () {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  };

  Room.prototype.scrollToEnd = function (wanted) {
    if (wanted) { this.log.scrollTop = this.log.scrollHeight; }
  };

  // --------------------------------------------------------------------------- sending

  Room.prototype.submit = function () {
    var text = this.body.value.trim();
    this.notice.textContent = "";
    if (!text) { this.notice.textContent = this.t("empty"); return; }
    if (text.length > this.maxLength) { this.notice.textContent = this.t("too_long", { max: this.maxLength }); return; }
    if (this.you && this.you.can_send === false) { return; }
    var li = this.messageElement({ user_id: this.userId, display_name: (this.you && this.you.display_name) || "", role: this.role }, text, false);
    li.classList.add("room-message-pending");
    li.querySelector(".room-message-state").textContent = this.t("sending");
    var item = { clientId: newClientId(), body: text, li: li, status: "sending", sentAt: 0 };
    this.pending.set(item.clientId, item);
    this.log.appendChild(li);
    this.scrollToEnd(true);
    this.body.value = "";
    this.updateCount();
    this.transmit(item);
  };

  Room.prototype.transmit = function (item) {
    item.status = "sending";
    item.li.classList.remove("room-message-failed");
    item.li.classList.add("room-message-pending");
    item.li.querySelector(".room-message-state").textContent = this.t("sending");
    item.li.querySelector(".room-message-actions").textContent = "";
    // Not connected: it waits, "sending…", and goes out after the next welcome.
    if (this.send({ type: "message", body: item.body, client_id: item.clientId })) { item.sentAt = Date.now(); }
  };

  Room.prototype.resendStale = function () {
    var room = this;
    var now = Date.now();
    this.pending.forEach(function (item) {
      if (item.status === "sending" && (!item.sentAt || now - item.sentAt > RESEND_AFTER_MS)) { room.transmit(item); }
    });
  };

  Room.prototype.markFailed = function (item, detail, retryAfter, retryable) {
    var room = this;
    item.status = "failed";
    item.li.classList.add("room-message-failed");
    var state = item.li.querySelector(".room-message-state");
    state.textContent = this.t("not_sent") + (detail ? ": " + detail : "");
    var actions = item.li.querySelector(".room-message-actions");
    actions.textContent = "";
    if (retryable === false) { return; }
    var retry = el("button", "link-button", this.t("retry"));
    retry.type = "button";
    retry.addEventListener("click", function () { room.transmit(item); });
    actions.appendChild(retry);
    if (retryAfter > 0) {
      retry.disabled = true;
      var wait = el("span", "meta", this.t("retry_in", { seconds: retryAfter }));
      actions.appendChild(wait);
      setTimeout(function () { retry.disabled = false; wait.remove(); }, retryAfter * 1000);
    }
  };

  Room.prototype.onError = function (frame) {
    var item = frame.client_id ? this.pending.get(frame.client_id) : null;
    // Not sent, but heard: the words sounded unsafe, so help shows and a moderator is told.
    if (frame.show_crisis_panel) { this.showCrisisPanel(); }
    if (item) {
      this.markFailed(item, frame.detail, Number(frame.retry_after) || 0);
      return;
    }
    if (["not_authenticated", "forbidden", "not_found", "room_closed", "session_over", "removed"].indexOf(frame.code) !== -1) {
      this.refusal = frame; // the close that follows says to stop; this says why
      if (frame.code !== "not_found" || !this.welcomed) { return; }
    }
    if (frame.code === "live_paused") { this.onLivePaused(frame); return; }
    if (frame.code === "too_fast") {
      // The frame it answers was dropped, and it may have been a message: send what is still
      // unacknowledged again once the pause is over (same client_id, so nothing is stored twice).
      var seconds = Number(frame.retry_after) || 1;
      var room = this;
      this.notice.textContent = this.t("too_fast", { seconds: seconds });
      setTimeout(function () {
        room.pending.forEach(function (pending) { if (pending.status === "sending") { room.transmit(pending); } });
      }, seconds * 1000);
      return;
    }
    this.notice.textContent = frame.detail || "";
  };

  // The server's channel layer is down: messages are still stored (and acked), but nobody else
  // sees them until it is back. Say so where the connection's state shows, once in the log too.
  Room.prototype.onLivePaused = function (frame) {
    if (this.livePaused) { return; }
    this.livePaused = true;
    this.setConnection(frame.detail);
    this.addSystem(frame.detail);
  };

  Room.prototype.onLiveResumed = function (frame) {
    this.livePaused = false;
    this.setConnection(frame.detail);
    this.addSystem(frame.detail);
    // Whatever others said meanwhile was stored, not delivered: ask for it.
    if (this.hasBaseline) {
      this.resumePending = true;
      this.send({ type: "resume", after: this.lastSeq });
    }
  };

  // --------------------------------------------------------------------------- standing, presence, state

  Room.prototype.isLeading = function () {
    return this.role === "facilitator" || this.role === "moderator";
  };

  Room.prototype.onYou = function (frame) {
    this.you = Object.assign({}, this.you || {}, {
      muted: frame.muted, can_send: frame.can_send, read_only_reason: frame.read_only_reason,
    });
    var reason = frame.can_send === false ? (this.texts[frame.read_only_reason] || frame.read_only_reason || "") : "";
    this.setComposerEnabled(frame.can_send !== false, reason ? reason + ". " + this.t("read_only_suffix") : "");
  };

  Room.prototype.setComposerEnabled = function (enabled, reason) {
    this.body.disabled = !enabled;
    this.sendButton.disabled = !enabled;
    this.reason.textContent = reason;
    this.reason.hidden = !reason;
  };

  Room.prototype.onPresence = function (frame) {
    this.participants = Array.isArray(frame.participants) ? frame.participants : [];
    this.facilitatorPresent = !!frame.facilitator_present;
    this.renderPresence();
    this.renderFacts();
  };

  Room.prototype.renderPresence = function () {
    var room = this;
    this.presence.textContent = "";
    var others = 0;
    this.participants.forEach(function (person) {
      var li = el("li", "room-person");
      li.dataset.userId = String(person.user_id);
      var name = el("span", "room-person-name", person.display_name);
      li.appendChild(name);
      if (person.user_id === room.userId) { li.appendChild(el("span", "tag", room.t("you"))); } else { others += 1; }
      if (person.role === "facilitator" || person.role === "moderator") { li.appendChild(el("span", "tag", room.t("role_" + person.role))); }
      if (person.muted) { li.appendChild(el("span", "tag tag-alert", room.t("muted_tag"))); }
      if (room.isLeading() && person.user_id !== room.userId && person.role === "member") {
        var actions = el("span", "room-person-actions");
        var mute = el("button", "link-button", person.muted ? room.t("unmute", { name: person.display_name }) : room.t("mute", { name: person.display_name }));
        mute.type = "button";
        mute.dataset.command = person.muted ? "unmute" : "mute";
        mute.dataset.userId = String(person.user_id);
        var remove = el("button", "link-button", room.t("remove", { name: person.display_name }));
        remove.type = "button";
        remove.dataset.command = "remove";
        remove.dataset.userId = String(person.user_id);
        remove.dataset.name = person.display_name;
        actions.appendChild(mute);
        actions.appendChild(remove);
        li.appendChild(actions);
      }
      room.presence.appendChild(li);
    });
    if (!others) { this.presence.appendChild(el("li", "meta", this.t("nobody_here"))); }
  };

  Room.prototype.onState = function (frame) {
    this.state = frame;
    this.renderFacts();
    var pinned = document.getElementById("room-pinned");
    if (frame.pinned) {
      pinned.querySelector(".room-pinned-author").textContent = (frame.pinned.author && frame.pinned.author.display_name) || "";
      pinned.querySelector(".room-pinned-body").textContent = frame.pinned.hidden ? this.t("hidden") : frame.pinned.body;
      pinned.hidden = false;
    } else {
      pinned.hidden = true;
    }
    var round = document.getElementById("room-round");
    var pass = document.getElementById("room-round-pass");
    if (frame.round && (frame.round.current || (frame.round.remaining || []).length)) {
      var current = frame.round.current;
      var mine = current && current.user_id === this.userId;
      round.querySelector(".room-round-now").textContent = mine ? this.t("round_your_turn") : (current ? this.t("round_now", { name: current.display_name }) : "");
      var names = (frame.round.remaining || []).map(function (person) { return person.display_name; }).join(", ");
      round.querySelector(".room-round-next").textContent = names ? this.t("round_next_up", { names: names }) : "";
      pass.hidden = !mine;
      round.hidden = false;
    } else {
      round.hidden = true;
      pass.hidden = true;
    }
    var lock = document.getElementById("room-lock");
    var unlock = document.getElementById("room-unlock");
    if (lock && unlock) { lock.hidden = !!frame.locked; unlock.hidden = !frame.locked; }
    var slow = document.getElementById("room-slow-mode-seconds");
    if (slow && document.activeElement !== slow) { slow.value = String(frame.slow_mode_seconds || 0); }
  };

  Room.prototype.renderFacts = function () {
    var facts = [];
    var state = this.state || {};
    facts.push(this.facilitatorPresent ? this.t("facilitator_here") : this.t("waiting_for_facilitator"));
    if (state.locked) { facts.push(this.t("locked")); }
    if (state.slow_mode_seconds) { facts.push(this.t("slow_mode", { seconds: state.slow_mode_seconds })); }
    if (state.ends_at) { facts.push(this.t("ends_at", { time: this.formatTime(state.ends_at) })); }
    this.facts.textContent = "";
    var list = this.facts;
    facts.forEach(function (fact) { list.appendChild(el("li", "", fact)); });
  };

  Room.prototype.onSummary = function (frame) {
    var box = document.querySelector('.room-summary-phase[data-phase="' + (frame.phase === "out" ? "out" : "in") + '"]');
    if (!box) { return; }
    box.querySelector(".room-summary-figures").textContent = frame.count
      ? this.t("summary_line", { count: frame.count, feel: frame.feel_average, connected: frame.connected_average })
      : this.t("summary_none");
    var words = frame.words || {};
    box.querySelector(".room-summary-words").textContent = Object.keys(words).map(function (word) {
      return word + " ×" + words[word];
    }).join(", ");
  };

  // Facilitators and moderators only (the server sends it to nobody else): a calm note beside a
  // message that raised a crisis alert. It may come before the message itself: kept until it shows.
  Room.prototype.onSafetyNotice = function (frame) {
    if (typeof frame.message_id !== "number") { return; }
    this.safetyNotices.set(String(frame.message_id), frame.detail || "");
    var li = this.log.querySelector('[data-message-id="' + frame.message_id + '"]');
    if (li) { this.attachSafetyNotice(li); }
  };

  Room.prototype.attachSafetyNotice = function (li) {
    var id = li.dataset.messageId;
    if (!id || !this.safetyNotices.has(id) || li.querySelector(".room-safety-notice")) { return; }
    var note = el("p", "room-safety-notice", this.safetyNotices.get(id));
    note.setAttribute("role", "note");
    li.insertBefore(note, li.querySelector(".room-message-actions"));
  };

  Room.prototype.showCrisisPanel = function () {
    var shown = document.getElementById("crisis-panel");
    if (shown) { shown.focus(); return; }
    var panel = window.thawCrisisPanelFrom(document.getElementById("room-crisis-panel"));
    document.getElementById("room-crisis-slot").appendChild(panel);
    panel.focus();
  };

  // --------------------------------------------------------------------------- check-in, report, controls

  Room.prototype.updateCheckButtons = function () {
    document.getElementById("room-check-in-open").hidden = this.checkedIn;
    document.getElementById("room-check-out-open").hidden = !this.checkedIn || this.checkedOut;
  };

  Room.prototype.openCheckIn = function (phase) {
    var dialog = document.getElementById("room-check-in");
    var form = dialog.querySelector("form");
    var heading = dialog.querySelector("h2");
    form.elements.phase.value = phase;
    heading.textContent = phase === "out" ? heading.dataset.headingOut : heading.dataset.headingIn;
    dialog.showModal();
  };

  Room.prototype.submitCheckIn = function (form) {
    var phase = form.elements.phase.value === "out" ? "out" : "in";
    var words = Array.prototype.filter.call(form.querySelectorAll("input[name=words]"), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    var sent = this.send({
      type: "check_in", phase: phase, feel: Number(form.elements.feel.value), connected: Number(form.elements.connected.value), words: words,
    });
    if (!sent) { this.notice.textContent = this.t("not_connected"); return false; }
    if (phase === "in") { this.checkedIn = true; } else { this.checkedOut = true; }
    this.updateCheckButtons();
    return true;
  };

  Room.prototype.openReport = function (li) {
    var dialog = document.getElementById("room-report");
    var form = dialog.querySelector("form");
    form.elements.message_id.value = li.dataset.messageId;
    form.elements.note.value = "";
    dialog.showModal();
  };

  Room.prototype.submitReport = function (form) {
    var reason = form.querySelector("input[name=reason]:checked");
    var sent = this.send({
      type: "report", message_id: Number(form.elements.message_id.value), reason: reason ? reason.value : "other",
      note: form.elements.note.value.trim(),
    });
    if (!sent) { this.notice.textContent = this.t("not_connected"); }
    return sent;
  };

  Room.prototype.command = function (button) {
    var command = button.dataset.command;
    var frame = { type: command };
    if (button.dataset.userId) { frame.user_id = Number(button.dataset.userId); }
    if (command === "extend") { frame.minutes = Number(button.dataset.minutes) || 15; }
    if (command === "remove" && !window.confirm(this.t("confirm_remove", { name: button.dataset.name || "" }))) { return; }
    if (command === "end" && !window.confirm(this.t("confirm_end"))) { return; }
    if (!this.send(frame)) { this.notice.textContent = this.t("not_connected"); }
  };

  Room.prototype.updateCount = function () {
    this.count.textContent = this.body.value.length + " / " + this.maxLength;
  };

  Room.prototype.bindUi = function () {
    var room = this;
    this.composer.addEventListener("submit", function (event) { event.preventDefault(); room.submit(); });
    this.body.addEventListener("input", function () { room.updateCount(); });
    this.body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); room.submit(); }
    });
    this.log.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      var li = button.closest("li");
      if (button.dataset.action === "report") { room.openReport(li); }
      if (button.dataset.action === "pin") { room.send({ type: "pin", message_id: Number(li.dataset.messageId) }); }
    });
    this.root.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-command]");
      if (button) { room.command(button); }
    });
    document.getElementById("room-round-pass").addEventListener("click", function () { room.send({ type: "round_pass" }); });
    ["room-check-in-open", "room-check-out-open"].forEach(function (id) {
      var button = document.getElementById(id);
      button.addEventListener("click", function () { room.openCheckIn(button.dataset.phase); });
    });
    ["feel", "connected"].forEach(function (name) {
      var input = document.getElementById("room-" + name);
      var output = document.getElementById("room-" + name + "-value");
      input.addEventListener("input", function () { output.textContent = input.value; });
    });
    document.getElementById("room-check-in-form").addEventListener("submit", function (event) {
      if (!room.submitCheckIn(event.target)) { event.preventDefault(); }
    });
    document.getElementById("room-report-form").addEventListener("submit", function (event) {
      if (!room.submitReport(event.target)) { event.preventDefault(); }
    });
    document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
    var slow = document.getElementById("room-slow-mode");
    if (slow) {
      slow.addEventListener("submit", function (event) {
        event.preventDefault();
        var seconds = Math.max(0, Math.min(Number(slow.elements.seconds.max) || 600, Math.round(Number(slow.elements.seconds.value) || 0)));
        if (!room.send({ type: "slow_mode", seconds: seconds })) { room.notice.textContent = room.t("not_connected"); }
      });
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-room]");
    if (!root || !window.WebSocket) { return; }
    new Room(root).start();
  });
})();
