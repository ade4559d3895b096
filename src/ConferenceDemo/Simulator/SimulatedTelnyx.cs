using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ConferenceDemo.Simulator;

/// <summary>A call as the simulator API shows it.</summary>
public sealed record SimulatedCall(string CallControlId, string From, string To, string Direction, string State, string? Conference,
    bool Muted, bool OnHold, string? Hearing);

/// <summary>
/// Telnyx's side of Call Control v2, in memory: legs that ring, answer, hear speech and music, enter digits, join and
/// leave conferences, get muted, held, recorded and hung up, and the webhooks Telnyx sends about each of those, with
/// the leg's latest client_state. Conference rules are applied as Telnyx applies them. Requests reach it already
/// checked against Telnyx's schemas; it answers what Telnyx answers (data envelopes, errors[] with Telnyx's codes).
/// Every delay runs on the injected clock. Thread-safe: one lock around the whole state, webhooks queued in order.
/// </summary>
public sealed class SimulatedTelnyx(TimeProvider time, SimulatorOptions options, SimulatorMedia media, ISimulatorWebhookSink webhooks,
    string connectionId) : IDisposable
{
    /// <summary>A repeated command_id within this window is acknowledged and not run again, as Telnyx does.</summary>
    public static readonly TimeSpan CommandIdWindow = TimeSpan.FromSeconds(60);

    /// <summary>How long a playback of a file lasts when it does not loop (the length of the simulator's tune).</summary>
    public static readonly TimeSpan PlaybackLength = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimLeg> _legs = new(StringComparer.Ordinal);
    private readonly List<SimLeg> _legOrder = [];
    private readonly List<SimConference> _conferences = [];
    private readonly Dictionary<(string Scope, string CommandId), (DateTimeOffset At, SimulatorReply Reply)> _commandIds = [];
    private readonly Dictionary<string, SavedRecording> _recordings = new(StringComparer.Ordinal);
    private readonly HashSet<ITimer> _timers = [];
    private long _tokens;
    private bool _disposed;

    public string TuneUrl => media.TuneUrl;

    // ---- the simulator API: what a caller does ------------------------------------------------------------------

    /// <summary>A caller dials <paramref name="to"/>: a ringing inbound leg, announced with call.initiated.</summary>
    public SimulatedCall PlaceInboundCall(string from, string to)
    {
        lock (_gate)
        {
            var leg = NewLeg(from, to, "incoming", clientState: null);
            Emit("call.initiated", leg, p =>
            {
                p["direction"] = "incoming";
                p["from"] = from;
                p["to"] = to;
                p["caller_id_name"] = from;
                p["state"] = "parked";
                p["start_time"] = Stamp(leg.StartTime);
            });
            return View(leg);
        }
    }

    /// <summary>The caller presses keys: call.dtmf.received for each, and an active gather collects them.</summary>
    public bool SendDigits(string callControlId, string digits)
    {
        lock (_gate)
        {
            if (!_legs.TryGetValue(callControlId, out var leg) || leg.State != LegState.Answered)
            {
                return false;
            }

            foreach (var digit in digits.Select(c => c.ToString()))
            {
                Emit("call.dtmf.received", leg, p =>
                {
                    p["digit"] = digit;
                    p["from"] = leg.From;
                    p["to"] = leg.To;
                });
                CollectDigit(leg, digit);
            }

            return true;
        }
    }

    /// <summary>The caller (or the dialed party) hangs up. False when there is no such live call.</summary>
    public bool HangUpByCaller(string callControlId)
    {
        lock (_gate)
        {
            if (!_legs.TryGetValue(callControlId, out var leg) || leg.State == LegState.Ended)
            {
                return false;
            }

            var cause = leg.State == LegState.Ringing ? "originator_cancel" : "normal_clearing";
            var source = leg.Direction == "incoming" ? "caller" : "callee";
            EndLeg(leg, cause, source);
            return true;
        }
    }

    public IReadOnlyList<SimulatedCall> Calls()
    {
        lock (_gate)
        {
            return [.. _legOrder.Select(View)];
        }
    }

    public SimulatedCall? Call(string callControlId)
    {
        lock (_gate)
        {
            return _legs.TryGetValue(callControlId, out var leg) ? View(leg) : null;
        }
    }

    /// <summary>The beeps a conference (by name, the newest of that name) has played, for tests and diagnostics.</summary>
    public IReadOnlyList<string> Beeps(string conferenceName)
    {
        lock (_gate)
        {
            return [.. _conferences.LastOrDefault(c => c.Name == conferenceName)?.Beeps ?? []];
        }
    }

    // ---- REST: call commands ------------------------------------------------------------------------------------

    /// <summary>POST /calls/{call_control_id}/actions/{action}, body already checked against Telnyx's schema.</summary>
    public SimulatorReply CallAction(string callControlId, string action, JsonObject body)
    {
        lock (_gate)
        {
            if (!_legs.TryGetValue(callControlId, out var leg))
            {
                return SimulatorReply.InvalidCallControlId();
            }

            return Once($"call:{callControlId}", body, () => RunCallAction(leg, action, body));
        }
    }

    /// <summary>POST /calls: an outbound leg that rings, then answers.</summary>
    public SimulatorReply Dial(JsonObject body)
    {
        lock (_gate)
        {
            return Once("dial", body, () =>
            {
                var to = body["to"] is JsonArray many ? many[0]?.GetValue<string>() ?? "" : Text(body, "to")!;
                var from = Text(body, "from")!;
                if (!to.StartsWith("sip:", StringComparison.Ordinal) && !Telnyx.PhoneNumbers.IsE164(to.Split(',')[0]))
                {
                    return SimulatorReply.Error(422, "10016", "Phone number must be in +E.164 format",
                        "The 'to' parameter must be a phone number in +E.164 format or a SIP URI.", "/to");
                }

                var leg = NewLeg(from, to, "outgoing", Text(body, "client_state"));
                leg.ConferenceConfig = body["conference_config"]?.DeepClone() as JsonObject;
                Emit("call.initiated", leg, p =>
                {
                    p["direction"] = "outgoing";
                    p["from"] = from;
                    p["to"] = to;
                    p["state"] = "bridging";
                    p["start_time"] = Stamp(leg.StartTime);
                });
                Schedule(TimeSpan.FromMilliseconds(options.RingMilliseconds), () => AnswerOutbound(leg));

                var data = new JsonObject
                {
                    ["call_control_id"] = leg.CallControlId,
                    ["call_leg_id"] = leg.CallLegId,
                    ["call_session_id"] = leg.CallSessionId,
                    ["is_alive"] = false,
                    ["record_type"] = "call",
                };
                if (leg.ClientState is { } state)
                {
                    data["client_state"] = state;
                }

                return SimulatorReply.Data(data);
            });
        }
    }

    private void AnswerOutbound(SimLeg leg)
    {
        if (leg.State != LegState.Ringing)
        {
            return;
        }

        leg.State = LegState.Answered;
        Emit("call.answered", leg, p =>
        {
            p["from"] = leg.From;
            p["to"] = leg.To;
            p["state"] = "answered";
            p["start_time"] = Stamp(leg.StartTime);
        });

        if (leg.ConferenceConfig is { } config)
        {
            // Dialed straight into a conference: joined on answer, by id or by name.
            var target = Text(config, "id") ?? Text(config, "conference_name");
            var conference = target is null ? null : FindConference(target);
            if (conference is not null)
            {
                Join(conference, leg, config);
            }
        }
    }

    private SimulatorReply RunCallAction(SimLeg leg, string action, JsonObject body)
    {
        if (leg.State == LegState.Ended)
        {
            return SimulatorReply.CallEnded();
        }

        if (action == "answer")
        {
            if (leg.Direction != "incoming" || leg.State != LegState.Ringing)
            {
                return SimulatorReply.Error(422, "90061", "Call already answered",
                    leg.Direction == "incoming" ? "This call has already been answered." : "An outbound call is answered by the called party, not by answer.");
            }

            SetClientState(leg, body);
            leg.State = LegState.Answered;
            Emit("call.answered", leg, p =>
            {
                p["from"] = leg.From;
                p["to"] = leg.To;
                p["state"] = "answered";
                p["start_time"] = Stamp(leg.StartTime);
            });
            return SimulatorReply.Ok();
        }

        if (action == "hangup")
        {
            SetClientState(leg, body);
            EndLeg(leg, "normal_clearing", leg.Direction == "incoming" ? "callee" : "caller");
            return SimulatorReply.Ok();
        }

        if (leg.State != LegState.Answered)
        {
            return SimulatorReply.NotAnswered();
        }

        SetClientState(leg, body);
        switch (action)
        {
            case "speak":
                Speak(leg, Text(body, "payload")!, Text(body, "stop") is "current" or "all");
                return SimulatorReply.Ok();

            case "gather_using_speak":
                StartGather(leg, body);
                return SimulatorReply.Ok();

            case "playback_start":
                var url = AudioUrl(body);
                if (url is null && Text(body, "playback_content") is null)
                {
                    return SimulatorReply.Error(422, "10004", "Missing required parameter",
                        "One of audio_url, media_name or playback_content is required.", "/audio_url");
                }

                StartPlayback(leg, url ?? "data:playback_content", Loops(body));
                return SimulatorReply.Ok();

            case "playback_stop":
                StopPlayback(leg, "cancelled");
                return SimulatorReply.Ok();

            case "record_start" or "record_stop" or "record_pause" or "record_resume":
                return RecordingAction(action, "call", body, leg.Recording, started: r => leg.Recording = r, stopped: _ => SaveCallRecording(leg));

            default:
                return SimulatorReply.Error(404, "10005", "Resource not found", $"The simulator has no call action '{action}'.");
        }
    }

    // ---- REST: conferences --------------------------------------------------------------------------------------

    /// <summary>POST /conferences: puts an answered leg into a new conference.</summary>
    public SimulatorReply CreateConference(JsonObject body)
    {
        lock (_gate)
        {
            var ccid = Text(body, "call_control_id")!;
            if (!_legs.TryGetValue(ccid, out var leg))
            {
                return SimulatorReply.InvalidCallControlId();
            }

            return Once($"call:{ccid}", body, () =>
            {
                if (leg.State == LegState.Ended)
                {
                    return SimulatorReply.CallEnded();
                }

                if (leg.State != LegState.Answered)
                {
                    return SimulatorReply.NotAnswered();
                }

                var name = Text(body, "name")!;
                if (_conferences.Any(c => c.IsActive && c.Name == name))
                {
                    return SimulatorReply.Error(422, "90033", "Unable to execute command", "Conference with given name already exists and it's active.");
                }

                var max = Int(body, "max_participants") ?? 250;
                if (max is < 2 or > 800)
                {
                    return SimulatorReply.Error(422, "10033", "Out of range", "max_participants must be from 2 to 800.", "/max_participants");
                }

                if (Int(body, "duration_minutes") is < 1)
                {
                    return SimulatorReply.Error(422, "10033", "Out of range", "duration_minutes must be at least 1.", "/duration_minutes");
                }

                if (Text(body, "hold_audio_url") is not null && Text(body, "hold_media_name") is not null)
                {
                    return SimulatorReply.Error(422, "10015", "Invalid parameter", "hold_audio_url and hold_media_name cannot both be given.", "/hold_media_name");
                }

                if (leg.Conference is not null)
                {
                    Leave(leg, beep: null);
                }

                var now = time.GetUtcNow();
                var conference = new SimConference
                {
                    Name = name,
                    ConnectionId = leg.ConnectionId,
                    CreatedAt = now,
                    UpdatedAt = now,
                    Creator = leg,
                    ClientState = Text(body, "client_state"),
                    MaxParticipants = max,
                    BeepEnabled = Text(body, "beep_enabled") ?? "never",
                    HoldAudioUrl = AudioUrl(body, "hold_"),
                    Started = Bool(body, "start_conference_on_create") ?? Bool(body, "start_conference_on_enter") ?? true,
                };
                _conferences.Add(conference);
                if (_conferences.Count > 1000 && _conferences.FirstOrDefault(c => !c.IsActive) is { } oldest)
                {
                    _conferences.Remove(oldest); // bounded memory on a long run
                }
                if (conference.ClientState is { } state)
                {
                    leg.ClientState = state;
                }

                Emit("conference.created", leg, p => p["conference_id"] = conference.Id, conference.ClientState);
                if (Int(body, "duration_minutes") is { } minutes)
                {
                    Schedule(TimeSpan.FromMinutes(minutes), () =>
                    {
                        if (conference.IsActive)
                        {
                            EndConference(conference, "time_exceeded", hangUp: true, endedBy: null);
                        }
                    });
                }

                Join(conference, leg, body);
                return SimulatorReply.Data(ConferenceView(conference));
            });
        }
    }

    /// <summary>POST /conferences/{id}/actions/{action}; {id} is the id, or the name where Telnyx allows it.</summary>
    public SimulatorReply ConferenceAction(string idOrName, string action, JsonObject body)
    {
        lock (_gate)
        {
            var conference = action == "end" ? _conferences.LastOrDefault(c => c.Id == idOrName) : FindConference(idOrName);
            if (conference is null)
            {
                return SimulatorReply.ConferenceNotFound();
            }

            return Once($"conference:{conference.Id}", body, () => RunConferenceAction(conference, action, body));
        }
    }

    private SimulatorReply RunConferenceAction(SimConference conference, string action, JsonObject body)
    {
        if (!conference.IsActive)
        {
            return SimulatorReply.ConferenceEnded();
        }

        switch (action)
        {
            case "join":
            {
                var ccid = Text(body, "call_control_id")!;
                if (!_legs.TryGetValue(ccid, out var leg))
                {
                    return SimulatorReply.InvalidCallControlId();
                }

                if (leg.State == LegState.Ended)
                {
                    return SimulatorReply.CallEnded();
                }

                if (leg.State != LegState.Answered)
                {
                    return SimulatorReply.NotAnswered();
                }

                if (leg.Conference == conference)
                {
                    return SimulatorReply.Error(422, "90035", "Already a participant", "This call is already in the conference.");
                }

                if (conference.Participants.Count >= conference.MaxParticipants)
                {
                    return SimulatorReply.Error(422, "90032", "Maximum number of participants reached",
                        $"The maximum allowed value of `max_participants` has been reached at {conference.MaxParticipants}.");
                }

                SetClientState(leg, body);
                if (leg.Conference is not null)
                {
                    Leave(leg, beep: null);
                }

                Join(conference, leg, body);
                return SimulatorReply.Ok();
            }

            case "leave":
            {
                var participant = Participant(conference, Text(body, "call_control_id")!, out var failure);
                if (participant is null)
                {
                    return failure!;
                }

                Leave(participant.Leg, Text(body, "beep_enabled"));
                return SimulatorReply.Ok();
            }

            case "mute" or "unmute" or "hold" or "unhold":
            {
                var targets = Targets(conference, body, out var failure);
                if (targets is null)
                {
                    return failure!;
                }

                foreach (var participant in targets)
                {
                    switch (action)
                    {
                        case "mute":
                            participant.Muted = true;
                            break;
                        case "unmute":
                            participant.Muted = false;
                            break;
                        case "hold":
                            participant.OnHold = true;
                            participant.HoldAudioUrl = AudioUrl(body);
                            break;
                        default:
                            participant.OnHold = false;
                            participant.HoldAudioUrl = null;
                            break;
                    }

                    participant.UpdatedAt = time.GetUtcNow();
                }

                return SimulatorReply.Ok();
            }

            case "speak":
            {
                var targets = Targets(conference, body, out var failure);
                if (targets is null)
                {
                    return failure!;
                }

                var text = Text(body, "payload")!;
                var token = ++_tokens;
                conference.Speech = text;
                conference.SpeechToken = token;
                conference.SpeechTo.Clear();
                conference.SpeechTo.UnionWith(targets.Select(t => t.Leg.CallControlId));
                EmitConference("conference.speak.started", conference, null);
                Schedule(SpeechLength(text), () =>
                {
                    if (conference.SpeechToken == token && conference.Speech is not null)
                    {
                        conference.Speech = null;
                        EmitConference("conference.speak.ended", conference, null);
                    }
                });
                return SimulatorReply.Ok();
            }

            case "play":
            {
                var targets = Targets(conference, body, out var failure);
                if (targets is null)
                {
                    return failure!;
                }

                var url = AudioUrl(body);
                if (url is null)
                {
                    return SimulatorReply.Error(422, "10004", "Missing required parameter", "One of audio_url or media_name is required.", "/audio_url");
                }

                var token = ++_tokens;
                conference.Playing = url;
                conference.PlayToken = token;
                conference.PlayingTo.Clear();
                conference.PlayingTo.UnionWith(targets.Select(t => t.Leg.CallControlId));
                EmitConference("conference.playback.started", conference, p => p["media_url"] = url);
                if (!Loops(body))
                {
                    Schedule(PlaybackLength, () =>
                    {
                        if (conference.PlayToken == token && conference.Playing is not null)
                        {
                            StopConferencePlayback(conference);
                        }
                    });
                }

                return SimulatorReply.Ok();
            }

            case "stop":
                if (conference.Playing is not null)
                {
                    StopConferencePlayback(conference);
                }

                return SimulatorReply.Ok();

            case "record_start" or "record_stop" or "record_pause" or "record_resume":
                return RecordingAction(action, "conference", body, conference.Recording, started: r => conference.Recording = r, stopped: r =>
                {
                    r.ClientState = Text(body, "client_state");
                    SaveConferenceRecording(conference);
                });

            case "update":
            {
                var participant = Participant(conference, Text(body, "call_control_id")!, out var failure);
                if (participant is null)
                {
                    return failure!;
                }

                participant.SupervisorRole = Text(body, "supervisor_role")!;
                participant.WhisperCallControlIds = body["whisper_call_control_ids"] is JsonArray ids
                    ? [.. ids.Select(i => i!.GetValue<string>())]
                    : [];
                participant.UpdatedAt = time.GetUtcNow();
                return SimulatorReply.Ok();
            }

            case "end":
                EndConference(conference, "ended_via_api", hangUp: true, endedBy: null);
                return SimulatorReply.Ok();

            default:
                return SimulatorReply.Error(404, "10005", "Resource not found", $"The simulator has no conference action '{action}'.");
        }
    }

    /// <summary>GET /conferences: newest first (Telnyx orders by expires_at, descending), filtered by name and status.</summary>
    public SimulatorReply ListConferences(string? name, string? status, int pageNumber, int pageSize)
    {
        lock (_gate)
        {
            var matching = _conferences
                .Where(c => name is null || c.Name == name)
                .Where(c => status is null || c.Status == status)
                .OrderByDescending(c => c.ExpiresAt)
                .Select(ConferenceView);
            return Page(matching.ToList(), pageNumber, pageSize);
        }
    }

    /// <summary>GET /conferences/{conference_id}/participants: who is in it now.</summary>
    public SimulatorReply ListParticipants(string conferenceId, int pageNumber, int pageSize)
    {
        lock (_gate)
        {
            var conference = _conferences.FirstOrDefault(c => c.Id == conferenceId);
            if (conference is null)
            {
                return SimulatorReply.ConferenceNotFound();
            }

            return Page(conference.Participants.Select(p => ParticipantView(conference, p)).ToList(), pageNumber, pageSize);
        }
    }

    /// <summary>GET /recordings/{id}: a fresh pair of download links each time, valid for ten minutes.</summary>
    public SimulatorReply GetRecording(string recordingId)
    {
        lock (_gate)
        {
            if (!_recordings.TryGetValue(recordingId, out var recording))
            {
                return SimulatorReply.Error(404, "10005", "Resource not found", "The requested recording does not exist.");
            }

            var (mp3, wav, _) = media.NewRecordingLinks(recording.Id);
            var data = new JsonObject
            {
                ["id"] = recording.Id,
                ["record_type"] = "recording",
                ["call_control_id"] = recording.Leg.CallControlId,
                ["call_leg_id"] = recording.Leg.CallLegId,
                ["call_session_id"] = recording.Leg.CallSessionId,
                ["channels"] = recording.Channels,
                ["connection_id"] = recording.Leg.ConnectionId,
                ["created_at"] = Stamp(recording.EndedAt),
                ["updated_at"] = Stamp(recording.EndedAt),
                ["download_urls"] = new JsonObject { ["mp3"] = mp3, ["wav"] = wav },
                ["duration_millis"] = (long)(recording.EndedAt - recording.StartedAt).TotalMilliseconds,
                ["from"] = recording.Leg.From,
                ["to"] = recording.Leg.To,
                ["initiated_by"] = "StartCallRecordingAPI",
                ["recording_started_at"] = Stamp(recording.StartedAt),
                ["recording_ended_at"] = Stamp(recording.EndedAt),
                ["source"] = recording.Source,
                ["status"] = "completed",
            };
            if (recording.ConferenceId is { } conferenceId)
            {
                data["conference_id"] = conferenceId;
            }

            return SimulatorReply.Data(data);
        }
    }

    // ---- rules ----------------------------------------------------------------------------------------------------

    private void Join(SimConference conference, SimLeg leg, JsonObject options)
    {
        var now = time.GetUtcNow();
        var participant = new SimParticipant
        {
            Leg = leg,
            CreatedAt = now,
            UpdatedAt = now,
            Muted = Bool(options, "mute") ?? false,
            OnHold = Bool(options, "hold") ?? false,
            HoldAudioUrl = AudioUrl(options, "hold_"),
            EndConferenceOnExit = Bool(options, "end_conference_on_exit") ?? false,
            SoftEndConferenceOnExit = Bool(options, "soft_end_conference_on_exit") ?? false,
            SupervisorRole = Text(options, "supervisor_role") ?? "none",
        };
        if (!participant.OnHold)
        {
            participant.HoldAudioUrl = null;
        }

        // A join's hold audio is what a conference that has not started plays to those waiting in it.
        if (!conference.Started && Text(options, "hold_audio_url") is { } waitingAudio && conference.HoldAudioUrl is null)
        {
            conference.HoldAudioUrl = waitingAudio;
        }

        leg.Conference = conference;
        leg.Participant = participant;
        conference.Participants.Add(participant);
        conference.UpdatedAt = now;
        if (Bool(options, "start_conference_on_enter") == true)
        {
            conference.Started = true;
        }

        Emit("conference.participant.joined", leg, p => p["conference_id"] = conference.Id);
        Beep(conference, Text(options, "beep_enabled"), "on_enter", leg);
    }

    /// <summary>A leg leaves its conference (leave, hangup, or the conference ending), then the conference's exit rules run.</summary>
    private void Leave(SimLeg leg, string? beep, bool applyExitRules = true)
    {
        if (leg.Conference is not { } conference || leg.Participant is not { } participant)
        {
            return;
        }

        conference.Participants.Remove(participant);
        conference.UpdatedAt = time.GetUtcNow();
        leg.Conference = null;
        leg.Participant = null;
        Emit("conference.participant.left", leg, p => p["conference_id"] = conference.Id);
        if (!applyExitRules || !conference.IsActive)
        {
            return;
        }

        Beep(conference, beep, "on_exit", leg);
        if (participant.EndConferenceOnExit)
        {
            EndConference(conference, "host_left", hangUp: true, endedBy: leg);
        }
        else if (participant.SoftEndConferenceOnExit)
        {
            EndConference(conference, "host_left", hangUp: false, endedBy: leg);
        }
        else if (conference.Participants.Count == 0)
        {
            EndConference(conference, "all_left", hangUp: false, endedBy: leg);
        }
    }

    private void Beep(SimConference conference, string? joinSetting, string moment, SimLeg leg)
    {
        var setting = joinSetting ?? conference.BeepEnabled;
        if (setting == "always" || setting == moment)
        {
            conference.Beeps.Add($"{moment}:{leg.CallControlId}");
        }
    }

    private void EndConference(SimConference conference, string reason, bool hangUp, SimLeg? endedBy)
    {
        conference.Status = "completed";
        conference.EndReason = reason;
        conference.EndedBy = endedBy;
        conference.UpdatedAt = time.GetUtcNow();
        if (conference.Recording is not null)
        {
            SaveConferenceRecording(conference);
        }

        foreach (var participant in conference.Participants.ToList())
        {
            if (hangUp)
            {
                EndLeg(participant.Leg, "normal_clearing", "unknown");
            }
            else
            {
                Leave(participant.Leg, beep: null, applyExitRules: false);
            }
        }

        // The webhook's reason has no ended_via_api: an end by the API is reported as the host's leaving.
        EmitConference("conference.ended", conference, p => p["reason"] = reason == "ended_via_api" ? "host_left" : reason);
    }

    private void EndLeg(SimLeg leg, string cause, string source)
    {
        if (leg.State == LegState.Ended)
        {
            return;
        }

        if (leg.Speech is not null)
        {
            leg.Speech = null;
            leg.SpeechQueue.Clear();
            Emit("call.speak.ended", leg, p => p["status"] = "call_hangup");
        }

        if (leg.Playback is not null)
        {
            StopPlayback(leg, "call_hangup");
        }

        if (leg.Gather is not null)
        {
            EndGather(leg, "call_hangup");
        }

        leg.State = LegState.Ended;
        Leave(leg, beep: null);
        Emit("call.hangup", leg, p =>
        {
            p["from"] = leg.From;
            p["to"] = leg.To;
            p["state"] = "hangup";
            p["start_time"] = Stamp(leg.StartTime);
            p["hangup_cause"] = cause;
            p["hangup_source"] = source;
            p["sip_hangup_cause"] = cause == "normal_clearing" ? "200" : "487";
        });
        if (leg.Recording is not null)
        {
            SaveCallRecording(leg);
        }
    }

    private void Speak(SimLeg leg, string text, bool stopFirst)
    {
        if (stopFirst)
        {
            leg.SpeechQueue.Clear();
            if (leg.Speech is not null)
            {
                leg.Speech = null;
                Emit("call.speak.ended", leg, p => p["status"] = "completed");
            }
        }

        // Speak requests queue up: the next one starts when the current one ends.
        if (leg.Speech is not null)
        {
            leg.SpeechQueue.Enqueue(text);
            return;
        }

        StartSpeech(leg, text);
    }

    private void StartSpeech(SimLeg leg, string text)
    {
        var token = ++_tokens;
        leg.Speech = text;
        leg.SpeechToken = token;
        Emit("call.speak.started", leg, null);
        Schedule(SpeechLength(text), () =>
        {
            if (leg.SpeechToken != token || leg.Speech is null || leg.State == LegState.Ended)
            {
                return;
            }

            leg.Speech = null;
            Emit("call.speak.ended", leg, p => p["status"] = "completed");
            if (leg.SpeechQueue.TryDequeue(out var next))
            {
                StartSpeech(leg, next);
            }
        });
    }

    private TimeSpan SpeechLength(string text) =>
        TimeSpan.FromMilliseconds(Math.Max(1, text.Length * 1000.0 / options.SpeechCharactersPerSecond));

    private void StartPlayback(SimLeg leg, string url, bool loop)
    {
        if (leg.Playback is not null)
        {
            StopPlayback(leg, "cancelled");
        }

        var token = ++_tokens;
        leg.Playback = url;
        leg.PlaybackToken = token;
        Emit("call.playback.started", leg, p =>
        {
            p["media_url"] = url;
            p["overlay"] = false;
        });
        if (!loop)
        {
            Schedule(PlaybackLength, () =>
            {
                if (leg.PlaybackToken == token && leg.Playback is not null)
                {
                    StopPlayback(leg, "completed");
                }
            });
        }
    }

    private void StopPlayback(SimLeg leg, string status)
    {
        if (leg.Playback is not { } url)
        {
            return;
        }

        leg.Playback = null;
        Emit("call.playback.ended", leg, p =>
        {
            p["media_url"] = url;
            p["overlay"] = false;
            p["status"] = status;
        });
    }

    private void StopConferencePlayback(SimConference conference)
    {
        var url = conference.Playing;
        conference.Playing = null;
        EmitConference("conference.playback.ended", conference, p => p["media_url"] = url);
    }

    private void StartGather(SimLeg leg, JsonObject body)
    {
        if (leg.Gather is not null)
        {
            EndGather(leg, "cancelled");
        }

        var gather = new SimGather
        {
            Prompt = Text(body, "payload")!,
            InvalidPrompt = Text(body, "invalid_payload"),
            MinimumDigits = Int(body, "minimum_digits") ?? 1,
            MaximumDigits = Int(body, "maximum_digits") ?? 128,
            TerminatingDigit = Text(body, "terminating_digit") ?? "#",
            ValidDigits = Text(body, "valid_digits") ?? "0123456789#*",
            TimeoutMillis = Int(body, "timeout_millis") ?? 60_000,
            InterDigitTimeoutMillis = Int(body, "inter_digit_timeout_millis") ?? 5_000,
            TriesLeft = Int(body, "maximum_tries") ?? 3,
        };
        leg.Gather = gather;
        Prompt(leg, gather, gather.Prompt);
    }

    /// <summary>Plays a gather's prompt (heard as speech) and starts its timeout.</summary>
    private void Prompt(SimLeg leg, SimGather gather, string text)
    {
        gather.TriesLeft--;
        gather.Digits.Clear();
        leg.SpeechQueue.Clear();
        leg.Speech = null;
        StartSpeech(leg, text);
        ArmGatherTimer(leg, gather, SpeechLength(text) + TimeSpan.FromMilliseconds(gather.TimeoutMillis));
    }

    private void ArmGatherTimer(SimLeg leg, SimGather gather, TimeSpan after)
    {
        var token = ++_tokens;
        gather.Token = token;
        Schedule(after, () =>
        {
            if (leg.Gather == gather && gather.Token == token)
            {
                GatherFinished(leg, gather, timedOut: true);
            }
        });
    }

    private void CollectDigit(SimLeg leg, string digit)
    {
        if (leg.Gather is not { } gather)
        {
            return;
        }

        if (digit == gather.TerminatingDigit)
        {
            GatherFinished(leg, gather, timedOut: false);
            return;
        }

        if (!gather.ValidDigits.Contains(digit, StringComparison.Ordinal))
        {
            return;
        }

        gather.Digits.Append(digit);
        if (gather.Digits.Length >= gather.MaximumDigits)
        {
            GatherFinished(leg, gather, timedOut: false);
            return;
        }

        ArmGatherTimer(leg, gather, TimeSpan.FromMilliseconds(gather.InterDigitTimeoutMillis));
    }

    private void GatherFinished(SimLeg leg, SimGather gather, bool timedOut)
    {
        if (gather.Digits.Length >= gather.MinimumDigits)
        {
            EndGather(leg, "valid");
        }
        else if (gather.TriesLeft > 0)
        {
            Prompt(leg, gather, gather.InvalidPrompt ?? gather.Prompt);
        }
        else
        {
            EndGather(leg, timedOut ? "timeout" : "invalid");
        }
    }

    private void EndGather(SimLeg leg, string status)
    {
        var gather = leg.Gather!;
        leg.Gather = null;
        gather.Token = ++_tokens;
        Emit("call.gather.ended", leg, p =>
        {
            p["digits"] = gather.Digits.ToString();
            p["from"] = leg.From;
            p["to"] = leg.To;
            p["status"] = status;
        });
    }

    /// <summary>
    /// record_start, record_stop, record_pause or record_resume on a call or a conference (<paramref name="what"/>), whose
    /// recording is <paramref name="current"/>: Telnyx refuses a second start (90020) and a stop, pause or resume with
    /// nothing recording (90021). Without channels a recording is single-channel, Telnyx's default.
    /// </summary>
    private SimulatorReply RecordingAction(string action, string what, JsonObject body, SimRecording? current,
        Action<SimRecording> started, Action<SimRecording> stopped)
    {
        if (action == "record_start")
        {
            if (current is not null)
            {
                return SimulatorReply.Error(422, "90020", "Recording already in progress", $"This {what} is already being recorded.");
            }

            started(new SimRecording { StartedAt = time.GetUtcNow(), Format = Text(body, "format")!, Channels = Text(body, "channels") ?? "single" });
            return SimulatorReply.Ok();
        }

        if (current is null)
        {
            return SimulatorReply.Error(422, "90021", "No recording in progress", $"This {what} is not being recorded.");
        }

        if (action == "record_stop")
        {
            stopped(current);
        }
        else
        {
            current.Paused = action == "record_pause";
        }

        return SimulatorReply.Ok();
    }

    private void SaveCallRecording(SimLeg leg)
    {
        var recording = leg.Recording!;
        leg.Recording = null;
        var now = time.GetUtcNow();
        _recordings[recording.Id] = new SavedRecording(recording.Id, leg, null, "call", recording.Format, recording.Channels, recording.StartedAt, now);
        var (mp3, wav, _) = media.NewRecordingLinks(recording.Id);

        // call.recording.saved carries no call_control_id and no recording_id (Telnyx's schema): the leg id tells it.
        Emit("call.recording.saved", leg, p =>
        {
            p.Remove("call_control_id");
            p["channels"] = recording.Channels;
            p["recording_started_at"] = Stamp(recording.StartedAt);
            p["recording_ended_at"] = Stamp(now);
            p["recording_urls"] = new JsonObject { ["mp3"] = mp3, ["wav"] = wav };
        });
    }

    private void SaveConferenceRecording(SimConference conference)
    {
        var recording = conference.Recording!;
        conference.Recording = null;
        var now = time.GetUtcNow();
        _recordings[recording.Id] = new SavedRecording(recording.Id, conference.Creator, conference.Id, "conference", recording.Format,
            recording.Channels, recording.StartedAt, now);
        var (mp3, wav, _) = media.NewRecordingLinks(recording.Id);
        EmitConference("conference.recording.saved", conference, p =>
        {
            p["call_control_id"] = conference.Creator.CallControlId;
            p["call_session_id"] = conference.Creator.CallSessionId;
            p["recording_id"] = recording.Id;
            p["channels"] = recording.Channels;
            p["format"] = recording.Format;
            p["recording_started_at"] = Stamp(recording.StartedAt);
            p["recording_ended_at"] = Stamp(now);
            p["recording_urls"] = new JsonObject { ["mp3"] = mp3, ["wav"] = wav };
        }, recording.ClientState ?? conference.ClientState);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /// <summary>Runs a command once per (scope, command_id) within <see cref="CommandIdWindow"/>; a repeat gets the first answer.</summary>
    private SimulatorReply Once(string scope, JsonObject body, Func<SimulatorReply> run)
    {
        var commandId = Text(body, "command_id");
        var now = time.GetUtcNow();
        if (commandId is not null && _commandIds.TryGetValue((scope, commandId), out var seen) && now - seen.At <= CommandIdWindow)
        {
            return seen.Reply;
        }

        var reply = run();
        if (commandId is not null && reply.IsSuccess)
        {
            if (_commandIds.Count > 10_000)
            {
                foreach (var old in _commandIds.Where(e => now - e.Value.At > CommandIdWindow).Select(e => e.Key).ToList())
                {
                    _commandIds.Remove(old);
                }
            }

            _commandIds[(scope, commandId)] = (now, reply);
        }

        return reply;
    }

    private SimLeg NewLeg(string from, string to, string direction, string? clientState)
    {
        var leg = new SimLeg
        {
            CallControlId = "v3:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_'),
            ConnectionId = connectionId,
            From = from,
            To = to,
            Direction = direction,
            StartTime = time.GetUtcNow(),
            ClientState = clientState,
        };
        _legs[leg.CallControlId] = leg;
        _legOrder.Add(leg);
        if (_legOrder.Count > 1000 && _legOrder.FirstOrDefault(l => l.State == LegState.Ended) is { } oldest)
        {
            // Bounded memory on a long run: the oldest finished call is forgotten.
            _legOrder.Remove(oldest);
            _legs.Remove(oldest.CallControlId);
        }

        return leg;
    }

    private static void SetClientState(SimLeg leg, JsonObject body)
    {
        if (Text(body, "client_state") is { } state)
        {
            leg.ClientState = state;
        }
    }

    private SimConference? FindConference(string idOrName) =>
        _conferences.LastOrDefault(c => c.Id == idOrName)
        ?? _conferences.LastOrDefault(c => c.Name == idOrName && c.IsActive)
        ?? _conferences.LastOrDefault(c => c.Name == idOrName);

    private SimParticipant? Participant(SimConference conference, string ccid, out SimulatorReply? failure)
    {
        failure = null;
        if (!_legs.TryGetValue(ccid, out var leg))
        {
            failure = SimulatorReply.InvalidCallControlId();
            return null;
        }

        if (leg.State == LegState.Ended)
        {
            failure = SimulatorReply.CallEnded();
            return null;
        }

        var participant = conference.Participants.FirstOrDefault(p => p.Leg == leg);
        if (participant is null)
        {
            failure = SimulatorReply.Error(422, "90036", "Not a participant", "This call is not a participant of the conference.", "/call_control_id");
        }

        return participant;
    }

    /// <summary>The participants named by call_control_ids; an absent or empty list means all of them.</summary>
    private List<SimParticipant>? Targets(SimConference conference, JsonObject body, out SimulatorReply? failure)
    {
        failure = null;
        if (body["call_control_ids"] is not JsonArray { Count: > 0 } ids)
        {
            return [.. conference.Participants];
        }

        var targets = new List<SimParticipant>();
        foreach (var id in ids.Select(i => i!.GetValue<string>()))
        {
            var participant = Participant(conference, id, out failure);
            if (participant is null)
            {
                return null;
            }

            targets.Add(participant);
        }

        return targets;
    }

    private string? Hearing(SimLeg leg)
    {
        if (leg.State != LegState.Answered)
        {
            return null;
        }

        if (leg.Speech is { } speech)
        {
            return speech;
        }

        if (leg.Playback is { } playback)
        {
            return playback;
        }

        if (leg.Conference is not { } conference || leg.Participant is not { } participant)
        {
            return null;
        }

        if (participant.OnHold)
        {
            return participant.HoldAudioUrl ?? media.TuneUrl;
        }

        if (conference.Speech is { } announcement && (conference.SpeechTo.Count == 0 || conference.SpeechTo.Contains(leg.CallControlId)))
        {
            return announcement;
        }

        if (conference.Playing is { } music && (conference.PlayingTo.Count == 0 || conference.PlayingTo.Contains(leg.CallControlId)))
        {
            return music;
        }

        // Waiting for the conference to start: its hold audio.
        return conference.Started ? null : conference.HoldAudioUrl ?? media.TuneUrl;
    }

    private SimulatedCall View(SimLeg leg) => new(
        leg.CallControlId,
        leg.From,
        leg.To,
        leg.Direction,
        leg.State switch
        {
            LegState.Ringing => "ringing",
            LegState.Ended => "ended",
            _ => leg.Conference is null ? "answered" : "in_conference",
        },
        leg.Conference?.Name,
        leg.Participant?.Muted ?? false,
        leg.Participant?.OnHold ?? false,
        Hearing(leg));

    private static JsonObject ConferenceView(SimConference conference)
    {
        var view = new JsonObject
        {
            ["id"] = conference.Id,
            ["name"] = conference.Name,
            ["record_type"] = "conference",
            ["status"] = conference.Status,
            ["created_at"] = Stamp(conference.CreatedAt),
            ["updated_at"] = Stamp(conference.UpdatedAt),
            ["expires_at"] = Stamp(conference.ExpiresAt),
            ["connection_id"] = conference.ConnectionId,
            ["region"] = "sim1",
        };
        if (conference.EndReason is { } reason)
        {
            view["end_reason"] = reason;
            view["ended_by"] = conference.EndedBy is { } leg
                ? new JsonObject { ["call_control_id"] = leg.CallControlId, ["call_session_id"] = leg.CallSessionId }
                : new JsonObject { ["call_control_id"] = null, ["call_session_id"] = null };
        }

        return view;
    }

    private static JsonObject ParticipantView(SimConference conference, SimParticipant participant) => new()
    {
        ["id"] = participant.Id,
        ["record_type"] = "participant",
        ["call_control_id"] = participant.Leg.CallControlId,
        ["call_leg_id"] = participant.Leg.CallLegId,
        ["conference"] = new JsonObject { ["id"] = conference.Id, ["name"] = conference.Name },
        ["status"] = "joined",
        ["muted"] = participant.Muted,
        ["on_hold"] = participant.OnHold,
        ["end_conference_on_exit"] = participant.EndConferenceOnExit,
        ["soft_end_conference_on_exit"] = participant.SoftEndConferenceOnExit,
        ["whisper_call_control_ids"] = new JsonArray([.. participant.WhisperCallControlIds.Select(id => (JsonNode)id)]),
        ["created_at"] = Stamp(participant.CreatedAt),
        ["updated_at"] = Stamp(participant.UpdatedAt),
    };

    private static SimulatorReply Page(IReadOnlyList<JsonObject> items, int pageNumber, int pageSize)
    {
        pageNumber = Math.Max(1, pageNumber);
        pageSize = Math.Clamp(pageSize, 1, 250);
        var totalPages = Math.Max(1, (items.Count + pageSize - 1) / pageSize);
        var page = items.Skip((pageNumber - 1) * pageSize).Take(pageSize);
        return new SimulatorReply(200, new JsonObject
        {
            ["data"] = new JsonArray([.. page]),
            ["meta"] = new JsonObject
            {
                ["page_number"] = pageNumber,
                ["page_size"] = pageSize,
                ["total_pages"] = totalPages,
                ["total_results"] = items.Count,
            },
        });
    }

    /// <summary>A webhook about one leg: the ids Telnyx puts in every call payload, its latest client_state, then the rest.</summary>
    private void Emit(string eventType, SimLeg leg, Action<JsonObject>? fill, string? clientState = null)
    {
        var payload = new JsonObject
        {
            ["call_control_id"] = leg.CallControlId,
            ["call_leg_id"] = leg.CallLegId,
            ["call_session_id"] = leg.CallSessionId,
            ["connection_id"] = leg.ConnectionId,
        };
        if ((clientState ?? leg.ClientState) is { } state)
        {
            payload["client_state"] = state;
        }

        fill?.Invoke(payload);
        webhooks.Send(new SimulatedWebhook(eventType, payload, time.GetUtcNow()));
    }

    /// <summary>A conference-level webhook: carries the creator leg's ids and the conference's client_state.</summary>
    private void EmitConference(string eventType, SimConference conference, Action<JsonObject>? fill, string? clientState = null)
    {
        Emit(eventType, conference.Creator, p =>
        {
            p["conference_id"] = conference.Id;
            if (eventType is "conference.speak.started" or "conference.speak.ended" or "conference.playback.started" or "conference.playback.ended")
            {
                // Whole-conference media events name no leg, only the conference and its creator's session.
                p.Remove("call_control_id");
                p.Remove("call_leg_id");
                p.Remove("call_session_id");
                p.Remove("client_state");
                p["creator_call_session_id"] = conference.Creator.CallSessionId;
            }

            fill?.Invoke(p);
        }, clientState ?? conference.ClientState);
    }

    private void Schedule(TimeSpan due, Action action)
    {
        if (_disposed)
        {
            return;
        }

        var holder = new ITimer?[1];
        var timer = time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (holder[0] is { } self)
                {
                    _timers.Remove(self);
                    self.Dispose();
                }

                if (!_disposed)
                {
                    action();
                }
            }
        }, null, Clamp(due), Timeout.InfiniteTimeSpan);
        holder[0] = timer;
        _timers.Add(timer);
    }

    /// <summary>At least a millisecond, at most a day (a conference lasts four hours at Telnyx anyway).</summary>
    private static TimeSpan Clamp(TimeSpan due) =>
        due < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : due > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : due;

    /// <summary>
    /// What a command asks to be played: its audio_url, else its media_name (as "media:{name}"); with
    /// <paramref name="prefix"/> "hold_", its hold_audio_url or hold_media_name.
    /// </summary>
    private static string? AudioUrl(JsonObject body, string prefix = "") =>
        Text(body, prefix + "audio_url") ?? (Text(body, prefix + "media_name") is { } name ? $"media:{name}" : null);

    private static bool Loops(JsonObject body) => body["loop"] switch
    {
        null => false,
        JsonValue value when value.TryGetValue<string>(out var text) => text == "infinity" || (int.TryParse(text, out var n) && n != 1),
        JsonValue value when value.TryGetValue<int>(out var count) => count != 1,
        _ => false,
    };

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<double>(out var number) ? (int)Math.Clamp(number, int.MinValue, int.MaxValue) : null;

    private static bool? Bool(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }
}
