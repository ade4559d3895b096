// The live dashboard: a snapshot of every room from /api/events, then each room event applied as it comes.
// Everything shown is built with DOM calls and textContent, so no value from a call (a number, a name) is ever
// read as HTML.
"use strict";

// Each control the page knows, by the name the server gives it in a room's "controls". The server lists only the
// controls whose route exists, so a button is drawn only when its route is there. To add a control: one line here.
//   label: the button's text; to whom it applies is added to its accessible name ("Mute +15550001111").
//   when:  shown only while this holds for the participant (or room).
//   field: the control needs a value first (an input beside the button), sent as that JSON property.
//   body:  a fixed JSON body.   danger: drawn in red and confirmed first.
//   pair:  two controls that replace each other (mute, unmute): the keyboard focus moves from one to the other.
const PARTICIPANT_CONTROLS = {
  "mute": { label: "Mute", when: p => !p.muted, pair: "mute" },
  "unmute": { label: "Unmute", when: p => p.muted, pair: "mute" },
  "hold": { label: "Hold", when: p => !p.on_hold, pair: "hold" },
  "unhold": { label: "Unhold", when: p => p.on_hold, pair: "hold" },
  "record-start": { label: "Record", when: p => !p.recording, pair: "record" },
  "record-stop": { label: "Stop recording", when: p => p.recording, pair: "record" },
  "kick": { label: "Kick", danger: true },
};

const ROOM_CONTROLS = {
  "pull": { label: "Call", field: { name: "number", label: "Number to call in", type: "tel", placeholder: "+15551234567" } },
  "lock": { label: "Lock", when: r => !r.locked, pair: "lock" },
  "unlock": { label: "Unlock", when: r => r.locked, pair: "lock" },
  "mute-all": { label: "Mute all", when: r => r.phase === "live" },
  "unmute-all": { label: "Unmute all", when: r => r.phase === "live" },
  "speak": { label: "Speak", field: { name: "text", label: "Text to speak to the room", type: "text" } },
  "play": { label: "Play", field: { name: "audio_url", label: "Audio URL to play", type: "url", placeholder: "https://…" } },
  "stop-audio": { label: "Stop audio" },
  "recording/start": { label: "Record room", when: r => recordingOf(r) === "off", body: {} },
  "recording/pause": { label: "Pause recording", when: r => recordingOf(r) === "on" },
  "recording/resume": { label: "Resume recording", when: r => recordingOf(r) === "paused" },
  "recording/stop": { label: "Stop room recording", when: r => recordingOf(r) !== "off" },
  "end": { label: "End conference", danger: true, when: r => r.phase === "live" },
};

const REASONS = {
  hung_up: "hung up", left: "left", call_ended: "call had ended", not_seated: "could not be seated",
  conference_ended: "conference ended", kicked: "kicked", moderator_left: "moderator left", time_limit: "time limit",
  full: "room full", locked_out: "room locked", wrong_pin: "wrong PIN",
};

const HOUR = 60 * 60 * 1000;
const rooms = new Map();           // room id -> room as the snapshot gave it, kept up to date by the events
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
const $ = id => document.getElementById(id);

function recordingOf(room) {
  if (typeof room.recording === "string") return room.recording;    // the room's own recording, where it exists
  return room.participants.some(p => p.recording) ? "on" : "off";
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

// A button whose accessible name is its label and whom it acts on: "Mute +15550001111".
function actionButton(label, target, key, onClick, danger) {
  return el("button", { type: "button", class: danger ? "danger" : undefined, "data-key": key, onclick: onClick },
    label, el("span", { class: "vh", text: " " + target }));
}

function badge(text, kind) { return el("li", { class: "badge" + (kind ? " " + kind : ""), text }); }

function duration(since) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  const two = n => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

function roomSince(room) {
  if (room.phase !== "live" || room.participants.length === 0) return null;
  return room.participants.map(p => p.since).filter(Boolean).sort()[0] || null;
}

function say(text, error) {
  const message = $("message");
  message.textContent = text;
  message.className = "message" + (error ? " error" : "");
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "RequestVerificationToken": csrf },
    body: JSON.stringify(body ?? {}),
  });
  let answer = null;
  try { answer = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) {
    throw new Error((answer && (answer.detail || answer.title)) || `${response.status} ${response.statusText}`);
  }
  return answer;
}

async function run(button, path, body, label, target, danger) {
  if (danger && !window.confirm(`${label} ${target}?`)) return;
  // Busy, not disabled: a disabled button would drop the keyboard focus.
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  try {
    const answer = await post(path, body);
    say(answer?.message || `${label} ${target}: done`);
  } catch (error) {
    say(`${label} ${target}: ${error.message}`, true);
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

function participantItem(room, p) {
  const who = p.number;
  const badges = el("ul", { class: "state", "aria-label": `State of ${who}` },
    badge(p.role, p.role === "moderator" ? "on" : undefined),
    badge(p.status.replace("_", " "), p.status === "in_room" ? "live" : undefined),
    p.talking || (room.speaker && room.speaker === p.call_control_id) ? badge("talking", "live") : null,
    p.muted ? badge("muted", "warn") : null,
    p.on_hold ? badge("on hold", "hold") : null,
    p.recording ? badge("recording", "warn") : null,
    p.dialed ? badge("dialed out") : null);
  const actions = el("div", { class: "actions" });
  for (const control of room.controls.participant) {
    const spec = PARTICIPANT_CONTROLS[control.name] || { label: control.name };
    if (spec.when && !spec.when(p)) continue;
    const path = control.path.replace("{participant}", encodeURIComponent(p.call_control_id));
    const key = `${room.id}|${p.call_control_id}|${spec.pair || control.name}`;
    actions.append(actionButton(spec.label, who, key,
      event => run(event.currentTarget, path, spec.body, spec.label, who, spec.danger), spec.danger));
  }

  return el("li", { class: "person", "data-ccid": p.call_control_id },
    el("div", {}, el("span", { class: "number", text: who })),
    el("span", { class: "time", "data-since": p.since || "", title: "time in the room" }),
    badges, actions);
}

function roomControl(room, control) {
  const spec = ROOM_CONTROLS[control.name] || { label: control.name };
  if (spec.when && !spec.when(room)) return null;
  const target = room.name;
  const key = `${room.id}||${spec.pair || control.name}`;
  if (!spec.field) {
    return actionButton(spec.label, target, key,
      event => run(event.currentTarget, control.path, spec.body, spec.label, target, spec.danger), spec.danger);
  }

  const input = el("input", { name: spec.field.name, type: spec.field.type || "text", placeholder: spec.field.placeholder,
    required: true, autocomplete: "off", "data-key": key + "|input" });
  const form = el("form", { class: "inline-form", "aria-label": `${spec.label} in ${target}` },
    el("label", {}, spec.field.label, input),
    el("button", { type: "submit", "data-key": key }, spec.label, el("span", { class: "vh", text: " " + target })));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    await run(form.querySelector("button"), control.path, { ...(spec.body || {}), [spec.field.name]: value }, spec.label, value, false);
    input.value = "";
  });
  return form;
}

function roomCard(room) {
  const live = room.phase === "live";
  const since = roomSince(room);
  const recording = recordingOf(room);
  const state = el("ul", { class: "state", "aria-label": `State of ${room.name}` },
    badge(live ? "live" : room.phase === "creating" ? "starting" : "idle", live ? "live" : undefined),
    room.locked ? badge("locked", "warn") : badge("open"),
    recording !== "off" ? badge(recording === "paused" ? "recording paused" : "recording", "warn") : null,
    badge(`${room.participants.length} in the room`));
  const people = room.participants.length
    ? el("ul", { class: "people" }, room.participants.map(p => participantItem(room, p)))
    : el("p", { class: "empty", text: "Nobody is in this room." });
  const controls = room.controls.room.map(c => roomControl(room, c)).filter(Boolean);
  const recent = (room.departures || []).filter(d => Date.now() - Date.parse(d.at) < HOUR).reverse();

  return el("section", { class: "room", "data-room": room.id, "aria-labelledby": `room-${room.id}` },
    el("h2", { id: `room-${room.id}` }, room.name),
    el("p", { class: "time" },
      room.dial_in?.length ? `Dial ${room.dial_in.join(", ")}` : "",
      since ? el("span", {}, " · running ", el("span", { "data-since": since })) : ""),
    state,
    el("h3", { text: "Participants" }), people,
    controls.length ? [el("h3", { text: "Room" }), el("div", { class: "actions" }, controls)] : null,
    el("h3", { text: "Recordings" }),
    room.recordings?.length
      ? el("ul", { class: "recordings" }, room.recordings.map(r => recordingItem(room, r)))
      : el("p", { class: "empty", text: "None saved." }),
    el("h3", { text: "Left in the last hour" }),
    recent.length
      ? el("ul", { class: "departures" }, recent.map(d => el("li", {},
          el("time", { datetime: d.at, text: new Date(d.at).toLocaleTimeString() }), " ",
          el("span", { text: d.number }), ": ", REASONS[d.reason] || d.reason.replaceAll("_", " "))))
      : el("p", { class: "empty", text: "Nobody." }));
}

// A saved recording of the room: its download link asks Telnyx for a fresh URL each time it is followed.
function recordingItem(room, r) {
  const when = r.started_at ? new Date(r.started_at).toLocaleString() : r.id;
  const length = typeof r.duration_seconds === "number" ? `, ${Math.round(r.duration_seconds)} s` : "";
  const href = r.download || `/api/recordings/${encodeURIComponent(r.id)}/download`;
  return el("li", {}, el("a", { href, text: `Download the recording of ${when}` }),
    el("span", { class: "time", text: ` ${r.format || ""}${r.channels ? " " + r.channels : ""}${length}` }));
}

function render() {
  const main = $("rooms");
  const focused = document.activeElement?.getAttribute?.("data-key");
  const typed = [...main.querySelectorAll("input[data-key]")].map(i => [i.dataset.key, i.value]);
  main.replaceChildren(...(rooms.size
    ? [...rooms.values()].map(roomCard)
    : [el("p", { class: "empty", text: "No rooms." })]));
  for (const [key, value] of typed) {
    const input = main.querySelector(`input[data-key="${CSS.escape(key)}"]`);
    if (input) input.value = value;
  }
  if (focused) main.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  tick();
}

function tick() {
  for (const node of document.querySelectorAll("[data-since]")) {
    if (node.dataset.since) node.textContent = duration(node.dataset.since);
  }
}

function upsert(room, participant) {
  const at = room.participants.findIndex(p => p.call_control_id === participant.call_control_id);
  if (at >= 0) room.participants[at] = participant; else room.participants.push(participant);
}

// One room event. Types added later still update the room: a participant in it is shown, other fields merged.
function apply(type, data) {
  const room = rooms.get(data.room);
  if (!room) {
    // A room made after the snapshot: start again with a fresh snapshot, which has it.
    resubscribe();
    return;
  }
  if (type === "participant_left") {
    room.participants = room.participants.filter(p => p.call_control_id !== data.participant.call_control_id);
    room.departures = [...(room.departures || []), {
      call_control_id: data.participant.call_control_id, number: data.participant.number, reason: data.reason,
      at: new Date().toISOString(),
    }];
  } else if (data.participant) {
    upsert(room, data.participant);
  } else if (type === "room_updated") {
    Object.assign(room, { phase: data.phase, conference_id: data.conference_id, locked: data.locked,
      recording: data.recording ?? room.recording, speaker: data.speaker ?? null });
  } else if (type === "recording_saved") {
    room.recordings = [data.recording, ...(room.recordings || []).filter(r => r.id !== data.recording.id)];
  } else if (type === "time_warning") {
    say(`${room.name}: ${data.minutes_left} minute${data.minutes_left === 1 ? "" : "s"} left`);
  } else {
    for (const [key, value] of Object.entries(data)) if (key !== "room" && key in room) room[key] = value;
  }
  render();
  refreshSimulator();
}

let source = null;

function resubscribe() {
  source?.close();
  source = connect();
}

function connect() {
  const connection = $("connection");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => { connection.textContent = "Live"; connection.className = "connection live"; });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      connection.textContent = "Disconnected: reload the page (or sign in again)";
    } else {
      connection.textContent = "Reconnecting…";
    }
    connection.className = "connection down";
  });
  source.addEventListener("snapshot", event => {
    const data = JSON.parse(event.data);
    rooms.clear();
    for (const room of data.rooms) rooms.set(room.id, room);
    render();
  });
  for (const type of ["participant_joined", "participant_updated", "participant_left", "room_updated", "recording_saved", "time_warning"]) {
    source.addEventListener(type, event => apply(type, JSON.parse(event.data)));
  }
  return source;
}

// The simulator's panel, shown only when the server runs its simulated Telnyx.
let simulatorOn = false;
let simulatorTimer = 0;

function refreshSimulator() {
  if (!simulatorOn) return;
  clearTimeout(simulatorTimer);
  simulatorTimer = setTimeout(loadSimulator, 250);
}

async function loadSimulator() {
  let response;
  try {
    response = await fetch("/api/simulator/calls", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return;
  }
  if (!response.ok) return;
  simulatorOn = true;
  $("simulator").hidden = false;
  const { calls } = await response.json();
  const list = $("simulator-calls");
  const focused = document.activeElement?.getAttribute?.("data-key");
  list.replaceChildren(...calls.filter(c => c.state !== "ended").map(simulatorCall));
  if (!list.children.length) list.append(el("li", { class: "empty", text: "No simulated calls." }));
  if (focused) list.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function simulatorCall(call) {
  const who = call.direction === "outgoing" ? call.to : call.from;
  const ccid = encodeURIComponent(call.call_control_id);
  const digits = el("input", { name: "digits", inputmode: "tel", autocomplete: "off", pattern: "[0-9*#A-Da-d]+",
    required: true, "aria-label": `Digits for ${who}` });
  const form = el("form", { class: "inline-form" }, digits,
    el("button", { type: "submit", "data-key": `sim|${call.call_control_id}|digits` }, "Send digits",
      el("span", { class: "vh", text: " from " + who })));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    await run(form.querySelector("button"), `/api/simulator/calls/${ccid}/digits`, { digits: digits.value.trim() }, "Digits", who);
    digits.value = "";
  });
  const hangup = actionButton("Hang up", who, `sim|${call.call_control_id}|hangup`, async event => {
    await run(event.currentTarget, `/api/simulator/calls/${ccid}/hangup`, {}, "Hang up", who, false);
    refreshSimulator();
  }, true);
  return el("li", { class: "call" },
    el("span", { class: "number", text: who }),
    el("ul", { class: "state" }, badge(call.state.replace("_", " ")), call.muted ? badge("muted", "warn") : null,
      call.on_hold ? badge("on hold", "hold") : null, call.conference ? badge(`in ${call.conference}`) : null),
    call.hearing ? el("span", { class: "time", text: `hears: ${call.hearing}` }) : null,
    el("div", { class: "actions" }, form, hangup));
}

function startSimulatorForm() {
  $("simulator-dial").addEventListener("submit", async event => {
    event.preventDefault();
    const form = event.currentTarget;
    const from = form.elements.from.value.trim();
    const to = form.elements.to.value.trim();
    await run(form.querySelector("button"), "/api/simulator/calls", to ? { from, to } : { from }, "Dial in", from, false);
    refreshSimulator();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  startSimulatorForm();
  source = connect();
  loadSimulator();
  setInterval(tick, 1000);
  setInterval(() => { if (rooms.size) render(); }, 60 * 1000); // ages out departures older than an hour
});
