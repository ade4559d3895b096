// The Node.js reference of the bench's ingest figures (`node server.js --urls http://127.0.0.1:PORT`): a webhook
// endpoint on the stack Telnyx's Node conference demo runs on (Express 4 and its JSON body parser), doing what the
// demo does with an event that changes nothing (call.speak.started): parse the body, read data.event_type and the
// payload's call_control_id, answer 200 with an empty body. No signature check, no state, no log line.
"use strict";
const express = require("express");

const address = new URL(process.argv[process.argv.indexOf("--urls") + 1]);
const app = express();
app.use(express.json());

app.get("/healthz", (request, response) => response.send("Healthy"));

app.post("/telnyx-conf-v2/start", (request, response) => {
  const data = request.body && request.body.data;
  if (!data || typeof data.event_type !== "string" || !data.payload) {
    response.status(400).end();
    return;
  }
  const callControlId = data.payload.call_control_id;
  response.status(callControlId === undefined ? 400 : 200).end();
});

app.listen(Number(address.port), address.hostname);
