using System.Net;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Reliability;

/// <summary>
/// Every scenario S1–S9b of node-demo.md, delivered once in order, and again with every webhook delivered twice
/// and each step's window shuffled: both runs must end in the same room and the same logical commands (the
/// command_id of each aside). A window holds the webhooks Telnyx may send at about the same moment.
/// </summary>
public sealed class ShuffledRedeliveryTests
{
    private abstract record Step;

    /// <summary>Webhooks Telnyx may deliver in any order; <paramref name="Settle"/>: wait until applied before the next step.</summary>
    private sealed record Window(bool Settle, params string[] Events) : Step;

    private sealed record Route(string PathAndQuery) : Step;

    private sealed record Scenario(Action<RecordingTelnyxHandler>? Faults, params Step[] Steps);

    private static Window W(params string[] events) => new(true, events);

    private static Step[] OpenWithA() =>
        [W(Initiated(A, from: FromA)), W(Answered(A, FromA)), W(Created("conf-1", A), Joined(A, "conf-1"))];

    private static Step[] Join(string ccid, string from) =>
        [W(Initiated(ccid, from: from)), W(Answered(ccid, from)), W(Joined(ccid, "conf-1"))];

    private static Scenario Build(string name) => name switch
    {
        "S1" => new(null, OpenWithA()),
        "S2" => new(null, [.. OpenWithA(), .. Join(B, FromB)]),
        "S3" => new(null, [.. OpenWithA(), .. Join(B, FromB), .. Join(C, FromC),
            W(Left(B, "conf-1"), Left(C, "conf-1")), W(Left(A, "conf-1"), Hangup(A), Hangup(B), Hangup(C))]),
        "S6" => new(null, [.. OpenWithA(), new Route("/telnyx-conf-v2/pull?number=%2B15557654321"),
            W(Initiated(D, "outgoing", to: Dialed, clientState: ClientStateTag.Dialed("myconf"))),
            W(Answered(D, ConferenceDemoApplication.PhoneNumber, Dialed, ClientStateTag.Dialed("myconf"))), W(Joined(D, "conf-1"))]),
        "S6b" => new(null, new Route("/telnyx-conf-v2/pull?number=%2B15557654321"),
            W(Initiated(D, "outgoing", to: Dialed, clientState: ClientStateTag.Dialed("myconf"))),
            W(Answered(D, ConferenceDemoApplication.PhoneNumber, Dialed, ClientStateTag.Dialed("myconf"))),
            W(Created("conf-1", D), Joined(D, "conf-1"))),
        "S8" => new(t => t.AnswerOn(HttpStatusCode.UnprocessableEntity, """{"errors":[{"code":"90033","title":"Conference name already active"}]}""", "/v2/conferences"),
            W(Initiated(A)), W(Answered(A, FromA)), W(Hangup(A))),
        "S8b" => new(t => t.AnswerOn(HttpStatusCode.OK, "", "/v2/conferences"), W(Initiated(A)), W(Answered(A, FromA)), W(Hangup(A))),
        "S8c" => new(t => t.AnswerOn(HttpStatusCode.OK, """{"data":{"name":"myconf"}}""", "/v2/conferences"), W(Initiated(A)), W(Answered(A, FromA)), W(Hangup(A))),
        // The create is slow; B's answered and A's joined arrive while it is in flight (no settling in between).
        // (Who joins first is who waits on hold, so the two joined are separate steps.)
        "S9" => new(t => t.DelayOn("/v2/conferences", 250), new Window(false, Answered(A, FromA)), W(Answered(B, FromB)),
            W(Joined(A, "conf-1")), W(Joined(B, "conf-1"))),
        "S9b" => new(t => t.DelayOn("/v2/conferences", 300), new Window(false, Answered(A, FromA)), W(Joined(A, "conf-1")),
            W(Answered(B, FromB)), W(Joined(B, "conf-1"))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private sealed record Outcome(string Room, IReadOnlyList<string> Commands);

    private static string WithFreshId(string body)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        json["data"]!["id"] = Guid.NewGuid().ToString();
        return json.ToJsonString();
    }

    private static async Task<Outcome> RunAsync(Scenario scenario, int? shuffleSeed)
    {
        await using var app = new ConferenceDemoApplication();
        scenario.Faults?.Invoke(app.Telnyx);
        var random = shuffleSeed is { } seed ? new Random(seed) : null;
        foreach (var step in scenario.Steps)
        {
            if (step is Route route)
            {
                await app.WhenIdleAsync();
                Assert.Equal(200, (await app.GetAsync(route.PathAndQuery)).Status);
                continue;
            }

            var window = (Window)step;
            // Each event again with its own id (the inbox drops it) and again with a fresh id (the rules must).
            var deliveries = random is null ? window.Events : [.. window.Events, .. window.Events, .. window.Events.Select(WithFreshId)];
            if (random is not null)
            {
                random.Shuffle(deliveries);
            }

            foreach (var body in deliveries)
            {
                using var response = await app.PostWebhookAsync(body);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            if (window.Settle)
            {
                await app.WhenIdleAsync();
            }
        }

        await app.WhenIdleAsync();
        var room = await app.RoomAsync();
        var roomText = $"{room.ConferenceId}|{room.AutoHeld}|" + string.Join(";",
            room.Participants.Select(p => $"{p.CallControlId},{p.Number},{p.Status},{p.OnHold},{p.Muted},{p.Dialed}"));
        var commands = app.Telnyx.Requests.Select(r => $"{r.Path} {Expect.Logical(r)?.ToJsonString()}").Order(StringComparer.Ordinal).ToList();
        return new Outcome(roomText, commands);
    }

    public static TheoryData<string, int> Runs()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "S1", "S2", "S3", "S6", "S6b", "S8", "S8b", "S8c", "S9", "S9b" })
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                data.Add(name, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task DeliveredTwiceAndShuffled_EndsLikeDeliveredOnce(string scenario, int seed)
    {
        var once = await RunAsync(Build(scenario), shuffleSeed: null);
        var twice = await RunAsync(Build(scenario), seed);

        Assert.Equal(once.Room, twice.Room);
        Assert.Equal(once.Commands, twice.Commands);
        Assert.NotEmpty(once.Commands);
    }
}
