using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static ConferenceDemo.Tests.Simulator.SimulatorServer;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>
/// The whole product on a fresh machine: the real server with nothing configured, driven through the simulator API,
/// every webhook signed by the simulator and checked by the server's real endpoint.
/// </summary>
public sealed class SimulatorEndToEndTests
{
    private const string FromA = "+15550001111";
    private const string FromB = "+15550002222";
    private const string FromC = "+15550003333";

    /// <summary>Three callers into one room, the first on hold music until the second arrives, then all hang up.</summary>
    internal static async Task ThreeCallersAsync(SimulatorServer server, bool strictHoldOrder = true)
    {
        var a = await server.DialInAsync(FromA);
        if (strictHoldOrder)
        {
            await server.WaitForAsync(c => State(c[a]) == "in_conference" && OnHold(c[a]) && Hearing(c[a]) == server.TuneUrl,
                "the first caller alone on hold music");
        }

        var b = await server.DialInAsync(FromB);
        var calls = await server.WaitForAsync(c => State(c[a]) == "in_conference" && State(c[b]) == "in_conference" && !OnHold(c[a]) && !OnHold(c[b]),
            "the second caller in, the first released");
        Assert.Equal("myconf", RoomOf(calls[a]));
        Assert.NotEqual(server.TuneUrl, Hearing(calls[a]));

        var c3 = await server.DialInAsync(FromC);
        await server.WaitForAsync(c => new[] { a, b, c3 }.All(id => State(c[id]) == "in_conference" && RoomOf(c[id]) == "myconf" && !OnHold(c[id])),
            "three callers in one conference");
        var list = await server.Client.GetStringAsync("/telnyx-conf-v2/list");
        Assert.All(new[] { (a, FromA), (b, FromB), (c3, FromC) }, p => Assert.Contains($"{p.Item1} - [{p.Item2}]", list, StringComparison.Ordinal));

        foreach (var id in new[] { a, b, c3 })
        {
            Assert.Equal(HttpStatusCode.Accepted, await server.HangUpAsync(id));
        }

        await server.WaitForAsync(c => new[] { a, b, c3 }.All(id => State(c[id]) == "ended" && RoomOf(c[id]) is null), "everyone hung up");
        await WaitForNoConferenceAsync(server);

        // Telnyx's side: the conference ended because everyone left.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/simulator/v2/conferences?filter%5Bname%5D=myconf");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "any-key");
        using var response = await new HttpClient { BaseAddress = server.BaseUrl }.SendAsync(request);
        using var conferences = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var conference = conferences.RootElement.GetProperty("data")[0];
        Assert.Equal(("completed", "all_left"), (conference.GetProperty("status").GetString(), conference.GetProperty("end_reason").GetString()));
    }

    /// <summary>Waits until the simulated Telnyx has taken <paramref name="count"/> PIN prompts (gathers) for the leg.</summary>
    private static async Task WaitForPinPromptsAsync(SimulatorServer server, string leg, int count)
    {
        var path = $"/simulator/v2/calls/{leg}/actions/gather_using_speak";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await server.CommandsAsync()).Count(c => c.Path == path && c.Status is >= 200 and < 300) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no PIN prompt {count} for {leg}; commands:\n"
                + string.Join("\n", (await server.CommandsAsync()).Select(c => $"{c.Method} {c.Path} {c.Status} {c.Body}")) + $"\n{server.Output}");
            await Task.Delay(50);
        }
    }

    private static async Task WaitForNoConferenceAsync(SimulatorServer server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string list;
        do
        {
            list = await server.Client.GetStringAsync("/telnyx-conf-v2/list");
            if (list == "no participant or no conference exists")
            {
                return;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"the server still has a conference: {list}");
    }

    [Fact]
    public async Task ThreeCallers_EndUpInOneConference_TheFirstOnHoldMusicUntilTheSecond_AndHangingUpEndsIt()
    {
        await using var server = await SimulatorServer.StartAsync();

        await ThreeCallersAsync(server);

        Assert.Contains("TELNYX SIMULATOR MODE (TELNYX_API_KEY is not set)", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Webhook rejected", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinRoom_TakesTheRightDigits_AndRefusesWrongOnes()
    {
        const string Board = "+15556660000";
        await using var server = await SimulatorServer.StartAsync(new()
        {
            ["Rooms__board__DialIn"] = Board,
            ["Rooms__board__Pin"] = "4321",
        });

        var right = await server.DialInAsync(FromA, Board);
        await WaitForPinPromptsAsync(server, right, 1);
        Assert.Equal(HttpStatusCode.Accepted, await server.TypeAsync(right, "4321#"));
        await server.WaitForAsync(c => State(c[right]) == "in_conference" && RoomOf(c[right]) == "board", "the caller with the PIN in room board");

        var wrong = await server.DialInAsync(FromB, Board);
        var attempts = new[] { "1111#", "2222#", "3333#" };
        for (var i = 0; i < attempts.Length; i++)
        {
            await WaitForPinPromptsAsync(server, wrong, i + 1);
            Assert.Equal(HttpStatusCode.Accepted, await server.TypeAsync(wrong, attempts[i]));
        }

        var calls = await server.WaitForAsync(c => State(c[wrong]) == "ended", "the caller with wrong PINs hung up");
        Assert.Null(RoomOf(calls[wrong]));
        Assert.Equal("in_conference", State(calls[right]));
    }

    [Fact]
    public async Task TheHoldMusic_IsATuneTheSimulatorServes()
    {
        await using var server = await SimulatorServer.StartAsync();
        using var anonymous = new HttpClient();

        using var response = await anonymous.GetAsync(server.TuneUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.True(bytes.Length > 8000, "at least half a second of 8 kHz 16-bit audio");
    }

    [Fact]
    public async Task Pull_DialsAnOutboundLegThatRingsAnswersAndJoins()
    {
        await using var server = await SimulatorServer.StartAsync();
        var a = await server.DialInAsync(FromA);
        await server.WaitForAsync(c => OnHold(c[a]), "the first caller on hold");

        using var pull = await server.Client.PostAsJsonAsync("/api/calls", new { number = "+15557654321" });

        Assert.Equal(HttpStatusCode.Accepted, pull.StatusCode);
        using var json = JsonDocument.Parse(await pull.Content.ReadAsStringAsync());
        var dialed = json.RootElement.GetProperty("call_control_id").GetString()!;
        var calls = await server.WaitForAsync(c => c.ContainsKey(dialed) && State(c[dialed]) == "in_conference" && !OnHold(c[a]),
            "the dialed leg in the conference");
        var leg = calls[dialed];
        Assert.Equal(("outgoing", "+15557654321", "+15550100000", "myconf"),
            (leg.GetProperty("direction").GetString(), leg.GetProperty("to").GetString(), leg.GetProperty("from").GetString(), RoomOf(leg)));
        Assert.Contains($"{dialed} - [+15557654321]", await server.Client.GetStringAsync("/telnyx-conf-v2/list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithDuplicatesAndReorders_TheConferenceStillEndsRight()
    {
        await using var server = await SimulatorServer.StartAsync(new()
        {
            ["Simulator__DuplicateRate"] = "0.5",
            ["Simulator__ReorderRate"] = "0.4",
            ["Simulator__LatencyMilliseconds"] = "5",
            ["Simulator__Seed"] = "20261201",
        });

        await ThreeCallersAsync(server, strictHoldOrder: false);

        Assert.Contains("a second time (Simulator:DuplicateRate)", server.Output, StringComparison.Ordinal);
        Assert.Contains("(Simulator:ReorderRate)", server.Output, StringComparison.Ordinal);
        Assert.Contains("is a redelivery: acknowledged, not applied again", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithFailingCommands_TheClientsRetriesStillSeatEveryone()
    {
        await using var server = await SimulatorServer.StartAsync(new()
        {
            ["Simulator__FailureRate"] = "0.25",
            ["Simulator__Seed"] = "7",
            ["TELNYX_RETRY_MAX_ATTEMPTS"] = "10",
            ["TELNYX_RETRY_BASE_DELAY_MS"] = "10",
        });

        await ThreeCallersAsync(server, strictHoldOrder: false);

        var commands = await server.CommandsAsync();
        Assert.Contains(commands, c => c.Status is 500 or 429);
        Assert.All(commands.Where(c => c.Status >= 300), c => Assert.True(IsExpectedRefusal(c, injected: true), $"{c.Path}: {c.Status} {c.ErrorCode}"));
    }

    [Fact]
    public async Task TheWebhookEndpoint_StillRefusesUnsignedWebhooks()
    {
        await using var server = await SimulatorServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };

        using var response = await anonymous.PostAsync("/telnyx-conf-v2/start",
            new StringContent("""{"data":{"event_type":"call.initiated","payload":{}}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid signature: missing telnyx-signature-ed25519 header", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SimulatorApi_NeedsTheOwnersSignIn_AndSaysWhatIsWrong()
    {
        await using var server = await SimulatorServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/simulator/calls")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PostAsJsonAsync("/api/simulator/calls", new { from = "555-1234" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PostAsJsonAsync("/api/simulator/calls", new { from = FromA, to = "0800" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PostAsync("/api/simulator/calls",
            new StringContent("not json", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await server.HangUpAsync("v3:nobody"));
        Assert.Equal(HttpStatusCode.NotFound,
            (await server.Client.PostAsJsonAsync("/api/simulator/calls/v3%3Anobody/digits", new { digits = "1" })).StatusCode);

        var a = await server.DialInAsync(FromA);
        var placed = (await server.CallsAsync())[a];
        Assert.Equal("+15550100000", placed.GetProperty("to").GetString()); // TELNYX_PHONE_NUMBER unset: the placeholder
        await server.WaitForAsync(c => State(c[a]) == "in_conference", "the caller seated");
        Assert.Equal(HttpStatusCode.Accepted,
            (await server.Client.PostAsJsonAsync($"/api/simulator/calls/{Uri.EscapeDataString(a)}/digits", new { digits = "1234#" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await server.Client.PostAsJsonAsync($"/api/simulator/calls/{Uri.EscapeDataString(a)}/digits", new { digits = "12x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, await server.HangUpAsync(a));
        await server.WaitForAsync(c => State(c[a]) == "ended", "the caller gone");
        Assert.Equal(HttpStatusCode.Conflict, await server.HangUpAsync(a));
        Assert.Equal(HttpStatusCode.Conflict,
            (await server.Client.PostAsJsonAsync($"/api/simulator/calls/{Uri.EscapeDataString(a)}/digits", new { digits = "1" })).StatusCode);
    }

    [Fact]
    public async Task SimulatedRestApi_AnswersLikeTelnyx_ToABadKeyAndABadBody()
    {
        await using var server = await SimulatorServer.StartAsync();
        using var telnyx = new HttpClient { BaseAddress = server.BaseUrl };

        using var noKey = await telnyx.PostAsync("/simulator/v2/calls", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/simulator/v2/conferences/myconf/actions/unhold")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "any-key");
        using var badBody = await telnyx.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Contains("\"code\":\"10009\"", await noKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badBody.StatusCode);
        using var errors = JsonDocument.Parse(await badBody.Content.ReadAsStringAsync());
        var error = errors.RootElement.GetProperty("errors")[0];
        Assert.Equal(("10004", "/call_control_ids"), (error.GetProperty("code").GetString(), error.GetProperty("source").GetProperty("pointer").GetString()));

        // The Telnyx API key is not the owner's password: a wrong one never locks the owner out.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/simulator/calls")).StatusCode);
    }
}
