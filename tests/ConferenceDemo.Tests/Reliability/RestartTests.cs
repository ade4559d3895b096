using System.Net;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Reliability;

/// <summary>
/// The server restarted while its conference was still running at Telnyx: the next caller's create is refused
/// (422, code 90033, name already active). The caller joins the running conference instead of being hung up.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private const string Old = "conf-before-restart";
    private const string Earlier = "v3:ccid-before-restart";
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Telnyx as it is after the restart: "myconf" is running, with <paramref name="roster"/> in it.</summary>
    private void ConferenceStillRunning(string? roster)
    {
        var nameInUse = File.ReadAllText(FixturePath("responses", "error_422_conference_name_conflict.json"));
        _app.Telnyx.Respond = (r, _) => Task.FromResult<HttpResponseMessage?>((r.Method.Method, r.Path) switch
        {
            ("POST", "/v2/conferences") => RecordingTelnyxHandler.Json(HttpStatusCode.UnprocessableEntity, nameInUse),
            ("GET", "/v2/conferences") => RecordingTelnyxHandler.Json(HttpStatusCode.OK, roster is null
                ? """{"data":[]}"""
                : "{\"data\":[{\"id\":\"" + Old + "\",\"name\":\"myconf\",\"status\":\"in_progress\",\"record_type\":\"conference\"}]}"),
            ("GET", $"/v2/conferences/{Old}/participants") => RecordingTelnyxHandler.Json(HttpStatusCode.OK,
                "{\"data\":[" + roster + "],\"meta\":{\"total_pages\":1}}"),
            _ => null,
        });
    }

    [Fact]
    public async Task CreateRefusedAsNameInUse_JoinsTheRunningConference_AndTakesOverItsRoster()
    {
        ConferenceStillRunning("{\"call_control_id\":\"" + Earlier + "\",\"status\":\"joined\",\"muted\":false,\"on_hold\":true},"
            + """{"call_control_id":"v3:gone","status":"left","muted":false,"on_hold":false}""");

        var sent = await _app.DeliverAsync(Answered(A, FromA));

        Expect.Commands([.. sent.Where(r => r.Method == HttpMethod.Post)], Expect.SpeakFirst(A), Expect.Create(A), Expect.Join(Old, A));
        var lookups = sent.Where(r => r.Method == HttpMethod.Get).ToList();
        Assert.Equal(["/v2/conferences", $"/v2/conferences/{Old}/participants"], lookups.Select(r => r.Path));
        Assert.Equal("?filter%5Bname%5D=myconf&filter%5Bstatus%5D=in_progress", lookups[0].Query);

        // The one who waited alone on hold before the restart is released when the caller is in.
        Expect.Commands(await _app.DeliverAsync(Joined(A, Old)), Expect.Unhold(Old, Earlier));
        Assert.Equal((200, $"Conference ID: {Old}\n\nParticipant List: \n{Earlier} - [unknown] \n{A} - [{FromA}] \n"),
            await _app.GetAsync("/telnyx-conf-v2/list"));
    }

    [Fact]
    public async Task CreateRefusedAsNameInUse_ButNoneRunning_HangsUpAsAnyFailedCreate()
    {
        ConferenceStillRunning(roster: null);

        var sent = await _app.DeliverAsync(Answered(A, FromA));

        Expect.Commands([.. sent.Where(r => r.Method == HttpMethod.Post)], Expect.SpeakFirst(A), Expect.Create(A), Expect.Hangup(A));
        Assert.Null((await _app.RoomAsync()).ConferenceId);
    }

    [Fact]
    public async Task RosterUnavailable_TheCallerStillJoins()
    {
        ConferenceStillRunning(roster: "");
        var running = _app.Telnyx.Respond!;
        _app.Telnyx.Respond = (r, ct) => r.Path.EndsWith("/participants", StringComparison.Ordinal)
            ? Task.FromResult<HttpResponseMessage?>(new HttpResponseMessage(HttpStatusCode.Forbidden))
            : running(r, ct);

        var sent = await _app.DeliverAsync(Answered(A, FromA));

        Expect.Commands([.. sent.Where(r => r.Method == HttpMethod.Post)], Expect.SpeakFirst(A), Expect.Create(A), Expect.Join(Old, A));
        Expect.Commands(await _app.DeliverAsync(Joined(A, Old)), Expect.Hold(Old, A));
    }
}
