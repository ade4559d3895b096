using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ConferenceDemo.Dashboard;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>GET /api/events and /api/rooms/{id}/events: a snapshot, then each room event, resumable with Last-Event-ID.</summary>
public sealed class RoomEventStreamTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    /// <summary>The heartbeat's clock: it moves only when a test advances it.</summary>
    private readonly FakeTimeProvider _heartbeat = new();

    public RoomEventStreamTests() =>
        _app.ReplaceServices = services => services.AddSingleton(new HeartbeatClock(_heartbeat));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpResponseMessage Response, EventStreamReader Reader)> OpenAsync(string path = "/api/events", string? lastEventId = null)
    {
        var client = _app.CreateControlClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new EventStreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private long LastSequence => _app.Services.GetRequiredService<IRoomFeed>().LastSequence;

    private static JsonNode Participant(JsonNode room, string number) =>
        room["participants"]!.AsArray().Single(p => p!["number"]!.GetValue<string>() == number)!;

    [Fact]
    public async Task FirstMessage_IsASnapshotOfEveryRoom_WithTheControlsThatExist()
    {
        var before = _app.Clock.GetUtcNow();
        await FirstCallerOpensConferenceAsync(_app);
        var (response, reader) = await OpenAsync();
        await using var _ = reader;
        using var __ = response;

        var snapshot = await reader.NextAsync();

        Assert.Equal("snapshot", snapshot.Event);
        Assert.Equal(LastSequence.ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot.Id);
        var data = snapshot.Json;
        Assert.Null(data["room"]?.GetValue<string>());
        var room = data["rooms"]!.AsArray().Single()!;
        Assert.Equal("myconf", room["id"]!.GetValue<string>());
        Assert.Equal("conf-1", room["conference_id"]!.GetValue<string>());
        Assert.Equal("live", room["phase"]!.GetValue<string>());
        var a = Participant(room, FromA);
        Assert.Equal(A, a["call_control_id"]!.GetValue<string>());
        Assert.True(a["on_hold"]!.GetValue<bool>());
        Assert.Equal("in_room", a["status"]!.GetValue<string>());
        Assert.InRange(a["since"]!.GetValue<DateTimeOffset>(), before, _app.Clock.GetUtcNow());

        // The routes this server maps: the room's participant actions, pull and the moderator's room controls.
        var participantControls = room["controls"]!["participant"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["mute", "unmute", "hold", "unhold", "record-start", "record-stop", "kick"], participantControls);
        Assert.Equal("/api/rooms/myconf/participants/{participant}/mute", room["controls"]!["participant"]![0]!["path"]!.GetValue<string>());
        var roomControls = room["controls"]!["room"]!.AsArray();
        Assert.Equal(
            ["pull", "lock", "unlock", "mute-all", "unmute-all", "speak", "play", "stop-audio", "end",
                "recording/start", "recording/stop", "recording/pause", "recording/resume"],
            roomControls.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("/api/rooms/myconf/calls", roomControls[0]!["path"]!.GetValue<string>());
        Assert.Equal("/api/rooms/myconf/recording/pause", roomControls[11]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task AWebhook_ReachesTheStreamAsAParticipantEventNamingTheRoom()
    {
        await FirstCallerOpensConferenceAsync(_app);
        var (response, reader) = await OpenAsync();
        await using var _ = reader;
        using var __ = response;
        var snapshot = await reader.NextAsync();

        await CallerJoinsAsync(_app, B, FromB);

        var joined = await reader.NextEventAsync();
        Assert.Equal("participant_joined", joined.Event);
        Assert.True(long.Parse(joined.Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(snapshot.Id!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("myconf", joined.Json["room"]!.GetValue<string>());
        Assert.Equal(FromB, joined.Json["participant"]!["number"]!.GetValue<string>());
        Assert.Equal(B, joined.Json["participant"]!["call_control_id"]!.GetValue<string>());
        Assert.Equal("member", joined.Json["participant"]!["role"]!.GetValue<string>());
        Assert.DoesNotContain('\n', joined.Data!);
    }

    [Fact]
    public async Task AHangup_IsAParticipantLeftWithItsReason_AndTheNextSnapshotListsIt()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        var (response, reader) = await OpenAsync("/api/rooms/myconf/events");
        await using (reader)
        using (response)
        {
            Assert.Equal("myconf", (await reader.NextAsync()).Json["room"]!.GetValue<string>());

            await _app.DeliverAsync(Hangup(B));

            StreamMessage left;
            do
            {
                left = await reader.NextEventAsync();
            }
            while (left.Event != "participant_left");

            Assert.Equal("hung_up", left.Json["reason"]!.GetValue<string>());
            Assert.Equal(FromB, left.Json["participant"]!["number"]!.GetValue<string>());
        }

        var (again, later) = await OpenAsync("/api/rooms/myconf/events");
        await using var _ = later;
        using var __ = again;
        var departure = (await later.NextAsync()).Json["rooms"]![0]!["departures"]!.AsArray().Single()!;
        Assert.Equal(FromB, departure["number"]!.GetValue<string>());
        Assert.Equal("hung_up", departure["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task ARoomsStream_CarriesThatRoomOnly_WithItsOwnControls()
    {
        _app.Settings["Rooms:support:DialIn"] = "+15557770000";
        var (response, reader) = await OpenAsync("/api/rooms/support/events");
        await using var _ = reader;
        using var __ = response;
        var snapshot = (await reader.NextAsync()).Json;
        Assert.Equal("support", snapshot["room"]!.GetValue<string>());
        var room = Assert.Single(snapshot["rooms"]!.AsArray())!;
        Assert.Equal("/api/rooms/support/participants/{participant}/hold", room["controls"]!["participant"]![2]!["path"]!.GetValue<string>());

        // A call in the default room is not this stream's; the next call to the support number is.
        await FirstCallerOpensConferenceAsync(_app);
        await _app.DeliverAsync(Initiated("v3:support-1", from: "+15550004444", to: "+15557770000"));
        await _app.DeliverAsync(Answered("v3:support-1", "+15550004444", to: "+15557770000"));

        StreamMessage message;
        do
        {
            message = await reader.NextEventAsync();
            Assert.Equal("support", message.Json["room"]!.GetValue<string>());
        }
        while (message.Event != "participant_joined");

        Assert.Equal("+15550004444", message.Json["participant"]!["number"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reconnecting_WithLastEventId_ResumesWithoutAGapOrARepeat()
    {
        // A reader that stays connected throughout sees every event: the reference.
        var (steadyResponse, steady) = await OpenAsync();
        await using var _ = steady;
        using var __ = steadyResponse;
        Assert.Equal("snapshot", (await steady.NextAsync()).Event);

        var (firstResponse, first) = await OpenAsync();
        Assert.Equal("snapshot", (await first.NextAsync()).Event);
        await FirstCallerOpensConferenceAsync(_app);
        var seen = await first.NextEventAsync();
        await first.DisposeAsync();
        firstResponse.Dispose();

        // While it is away: more happens.
        await CallerJoinsAsync(_app, B, FromB);
        await _app.DeliverAsync(Joined(B, "conf-1"));
        await _app.DeliverAsync(Hangup(B));
        var newest = LastSequence;

        var expected = new List<(string? Id, string? Event, string? Data)>();
        StreamMessage message;
        do
        {
            message = await steady.NextEventAsync();
            expected.Add((message.Id, message.Event, message.Data));
        }
        while (message.Id != newest.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var (resumedResponse, resumed) = await OpenAsync(lastEventId: seen.Id);
        await using var ___ = resumed;
        using var ____ = resumedResponse;
        var missed = expected.SkipWhile(e => e.Id != seen.Id).Skip(1).ToList();
        Assert.True(missed.Count >= 3, $"expected several missed events, got {missed.Count}");
        foreach (var want in missed)
        {
            var got = await resumed.NextEventAsync();
            Assert.Equal(want, (got.Id, got.Event, got.Data));
        }

        // Nothing more until something happens, and then exactly the next event.
        await _app.DeliverAsync(Hangup(A));
        var next = await resumed.NextEventAsync();
        Assert.Equal((newest + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), next.Id);
    }

    [Fact]
    public async Task Reconnecting_WithAnIdTheFeedCannotResumeFrom_GetsAFreshSnapshot()
    {
        await FirstCallerOpensConferenceAsync(_app);

        var (response, reader) = await OpenAsync(lastEventId: "999999");
        await using var _ = reader;
        using var __ = response;

        var snapshot = await reader.NextAsync();
        Assert.Equal("snapshot", snapshot.Event);
        Assert.Equal(LastSequence.ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot.Id);
        Assert.Equal(FromA, snapshot.Json["rooms"]![0]!["participants"]![0]!["number"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASilentStream_GetsACommentLineEveryFifteenSeconds()
    {
        var (response, reader) = await OpenAsync();
        await using var _ = reader;
        using var __ = response;
        Assert.Equal("snapshot", (await reader.NextAsync()).Event);

        // 14 s of silence send nothing: the next message is the event that comes after them.
        _heartbeat.Advance(TimeSpan.FromSeconds(14));
        await FirstCallerOpensConferenceAsync(_app);
        var next = await reader.NextAsync();
        Assert.Null(next.Comment);
        Assert.NotNull(next.Event);

        // Drain what the call produced, then 15 s of silence bring a comment line.
        while (next.Id != LastSequence.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            next = await reader.NextEventAsync();
        }

        _heartbeat.Advance(TimeSpan.FromSeconds(15));
        var heartbeat = await reader.NextAsync();
        Assert.NotNull(heartbeat.Comment);
        Assert.Null(heartbeat.Event);
        Assert.Null(heartbeat.Id);
    }

    [Theory]
    [InlineData("/api/events")]
    [InlineData("/api/rooms/myconf/events")]
    public async Task Streams_NeedTheOwnersSignIn(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Streams_TakeTheBearerToken()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);
        using var response = await client.GetAsync("/api/rooms/myconf/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var reader = new EventStreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("snapshot", (await reader.NextAsync()).Event);
    }

    [Fact]
    public async Task UnknownRoom_Answers404()
    {
        using var client = _app.CreateControlClient();
        using var response = await client.GetAsync("/api/rooms/nope/events");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedLastEventId_Answers400WithTheReason()
    {
        using var client = _app.CreateControlClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Last-Event-ID", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
