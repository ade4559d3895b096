using ConferenceDemo.Dashboard;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>The data line of each room event: the room first, fields and words in snake_case.</summary>
public sealed class LiveJsonTests
{
    private static readonly Participant Caller = new("v3:leg-1", "+15550001111")
    {
        Status = ParticipantStatus.InRoom, Muted = true, Role = ParticipantRole.Moderator,
        Since = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000),
    };

    [Theory]
    [InlineData(DepartureReason.HungUp, "hung_up")]
    [InlineData(DepartureReason.Left, "left")]
    [InlineData(DepartureReason.CallEnded, "call_ended")]
    [InlineData(DepartureReason.NotSeated, "not_seated")]
    [InlineData(DepartureReason.ConferenceEnded, "conference_ended")]
    [InlineData(DepartureReason.Full, "full")]
    [InlineData(DepartureReason.WrongPin, "wrong_pin")]
    [InlineData(DepartureReason.ModeratorLeft, "moderator_left")]
    [InlineData(DepartureReason.Kicked, "kicked")]
    [InlineData(DepartureReason.TimeLimit, "time_limit")]
    [InlineData(DepartureReason.LockedOut, "locked_out")]
    public void ParticipantLeft_CarriesItsReasonInSnakeCase(DepartureReason reason, string word)
    {
        var data = LiveJson.Event(new ParticipantLeftRoom("myconf", Caller, reason));

        Assert.Equal("myconf", data["room"]!.GetValue<string>());
        Assert.Equal(word, data["reason"]!.GetValue<string>());
        Assert.Equal("+15550001111", data["participant"]!["number"]!.GetValue<string>());
        Assert.Equal("moderator", data["participant"]!["role"]!.GetValue<string>());
        Assert.True(data["participant"]!["muted"]!.GetValue<bool>());
        Assert.Equal("in_room", data["participant"]!["status"]!.GetValue<string>());
        Assert.Null(data["type"]);
    }

    [Fact]
    public void RoomUpdated_CarriesThePhaseConferenceLockRecordingAndSpeaker()
    {
        var data = LiveJson.Event(new RoomUpdated("myconf", ConferencePhase.Live, "conf-1", Locked: true) { Recording = RecordingState.Paused, Speaker = "v3:leg-1" });

        Assert.Equal("""{"room":"myconf","phase":"live","conference_id":"conf-1","locked":true,"recording":"paused","speaker":"v3:leg-1"}""",
            data.ToJsonString(LiveJson.Options));
    }

    [Fact]
    public void ARoomSnapshot_ListsItsRecordingsNewestFirst_WithTheirDownloadLinks()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var room = Room.Create("myconf", Guid.Empty) with
        {
            Recordings = [new SavedRecording("rec-1", at, at.AddSeconds(90), "mp3", "dual"), new SavedRecording("rec 2", at.AddHours(1), null, "wav", "single")],
        };

        var data = LiveJson.Room(new RoomSettings { Id = "myconf" }, room, [], new RoomControls([], []));

        var recordings = data["recordings"]!.AsArray();
        Assert.Equal(["rec 2", "rec-1"], recordings.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal("/api/recordings/rec%202/download", recordings[0]!["download"]!.GetValue<string>());
        Assert.Equal(90, recordings[1]!["duration_seconds"]!.GetValue<double>());
    }
}
