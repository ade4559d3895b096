using System.Net;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>Two servers on one PostgreSQL database, as behind a load balancer: webhooks of one conference split between them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTests(PostgresServer server) : IAsyncLifetime
{
    private const string A = "v3:ccid-A", B = "v3:ccid-B";
    private TwoInstances _pair = null!;
    private ConferenceDemoApplication _one = null!;
    private ConferenceDemoApplication _two = null!;

    public async Task InitializeAsync()
    {
        _pair = await TwoInstances.StartAsync(server);
        (_one, _two) = (_pair.One, _pair.Two);
    }

    public async Task DisposeAsync() => await _pair.DisposeAsync();

    /// <summary>Posts a webhook signed with the account's key to one of the instances.</summary>
    private static async Task PostAsync(ConferenceDemoApplication app, string body)
    {
        using var response = await app.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task BothIdleAsync()
    {
        // A command's answer on one instance can queue work only there; twice round settles both.
        for (var i = 0; i < 3; i++)
        {
            await _one.WhenIdleAsync();
            await _two.WhenIdleAsync();
        }
    }

    private IReadOnlyList<RecordedRequest> Sent() => [.. _one.Telnyx.Requests, .. _two.Telnyx.Requests];

    [Fact]
    public async Task TwoFirstCallers_OnTwoInstancesAtOnce_OpenOneConference_AndBothAreIn()
    {
        await Task.WhenAll(PostAsync(_one, Initiated(A, from: "+15550000001")), PostAsync(_two, Initiated(B, from: "+15550000002")));
        await BothIdleAsync();
        await Task.WhenAll(PostAsync(_one, Answered(A, "+15550000001")), PostAsync(_two, Answered(B, "+15550000002")));
        await BothIdleAsync();

        var sent = Sent();
        Assert.Single(sent, r => r.Path == "/v2/conferences" && r.Method == HttpMethod.Post);
        Assert.Single(sent, r => r.Path == "/v2/conferences/conf-1/actions/join");
        Assert.Equal(2, sent.Count(r => r.Path.EndsWith("/actions/answer", StringComparison.Ordinal)));
        Assert.Equal(2, sent.Count(r => r.Path.EndsWith("/actions/speak", StringComparison.Ordinal)));

        foreach (var app in new[] { _one, _two })
        {
            var (status, text) = await app.GetAsync("/api/rooms/myconf");
            Assert.True(status == 200, text);
            Assert.True(text.Contains("conf-1", StringComparison.Ordinal), $"{text}\n{string.Join("\n", sent)}");
            var room = JsonNode.Parse(text)!;
            Assert.Equal("conf-1", room["conference_id"]?.GetValue<string>());
            Assert.Equal([A, B], room["participants"]!.AsArray().Select(p => p!["call_control_id"]!.GetValue<string>()).Order());
        }
    }

    [Fact]
    public async Task ARedelivery_ToTheOtherInstance_IsADuplicate()
    {
        var answered = Answered(A, "+15550000001");
        await PostAsync(_one, Initiated(A, from: "+15550000001"));
        await PostAsync(_one, answered);
        await BothIdleAsync();
        var before = Sent().Count;

        await PostAsync(_two, answered);
        await BothIdleAsync();

        Assert.Equal(before, Sent().Count);
    }

    [Fact]
    public async Task ARoomEventDecidedOnOneInstance_ReachesAFeedSubscriberOnTheOther()
    {
        using var subscription = _two.Services.GetRequiredService<IRoomFeed>().Subscribe("myconf");

        await PostAsync(_one, Initiated(A, from: "+15550000001"));
        await PostAsync(_one, Answered(A, "+15550000001"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        RoomFeedItem item;
        do
        {
            item = await subscription.Reader.ReadAsync(timeout.Token);
        }
        while (item.Event is not ParticipantJoinedRoom { Participant.CallControlId: A });

        Assert.True(item.Sequence > 0);

        // A reader that reconnects after that number gets the rest from the table.
        await BothIdleAsync();
        await Task.Delay(200);
        using var resumed = _two.Services.GetRequiredService<IRoomFeed>().Subscribe("myconf", after: item.Sequence - 1);
        Assert.True(resumed.Resumed);
        Assert.Equal(item.Sequence, (await resumed.Reader.ReadAsync(timeout.Token)).Sequence);
    }
}
