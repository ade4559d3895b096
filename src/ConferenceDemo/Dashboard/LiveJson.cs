using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ConferenceDemo.Control;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Dashboard;

/// <summary>
/// The JSON of the live streams: rooms as GET /api/rooms/{id} shows them (with what a live view adds: the phase,
/// when each participant came, its saved recordings, who left and why, which controls exist), and each room event in snake_case.
/// </summary>
public static class LiveJson
{
    /// <summary>snake_case names, enums as snake_case words (hung_up, in_room, live), one line.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>A participant as the room API shows it, plus when they came.</summary>
    public static JsonObject Participant(Participant participant)
    {
        var node = JsonSerializer.SerializeToNode(RoomParticipantView.From(participant), Options)!.AsObject();
        node["since"] = participant.Since;
        return node;
    }

    /// <summary>One room for a snapshot.</summary>
    public static JsonObject Room(RoomSettings settings, Room room, IReadOnlyList<Departure> departures, RoomControls controls)
    {
        var node = JsonSerializer.SerializeToNode(RoomView.From(settings, room), Options)!.AsObject();
        node["phase"] = JsonSerializer.SerializeToNode(room.Phase, Options);
        node["participants"] = new JsonArray([.. room.Participants.Select(p => (JsonNode)Participant(p))]);
        node["recordings"] = JsonSerializer.SerializeToNode(room.Recordings.AsEnumerable().Reverse().Select(RecordingView.From).ToList(), Options);
        node["departures"] = JsonSerializer.SerializeToNode(departures, Options);
        node["controls"] = JsonSerializer.SerializeToNode(controls, Options);
        return node;
    }

    /// <summary>
    /// The data of one room event: its fields in snake_case with "room" first. Event types added later are written
    /// the same way without a change here.
    /// </summary>
    public static JsonObject Event(RoomEvent roomEvent)
    {
        ArgumentNullException.ThrowIfNull(roomEvent);
        var fields = JsonSerializer.SerializeToNode(roomEvent, roomEvent.GetType(), Options)!.AsObject();
        var node = new JsonObject { ["room"] = roomEvent.Room };
        foreach (var (name, value) in fields.ToList())
        {
            if (name is not ("room" or "type"))
            {
                fields.Remove(name);
                node[name] = value;
            }
        }

        if (ParticipantOf(roomEvent) is { } participant)
        {
            node["participant"] = Participant(participant);
        }

        return node;
    }

    private static Participant? ParticipantOf(RoomEvent roomEvent) => roomEvent switch
    {
        ParticipantJoinedRoom joined => joined.Participant,
        ParticipantUpdated updated => updated.Participant,
        ParticipantLeftRoom left => left.Participant,
        _ => null,
    };
}
