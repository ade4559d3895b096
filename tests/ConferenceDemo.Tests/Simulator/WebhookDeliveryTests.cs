using System.Text.Json.Nodes;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Simulator;
using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>How the simulator delivers webhooks: signed as Telnyx signs, duplicated and reordered on request.</summary>
public sealed class WebhookDeliveryTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly RecordingTelnyxHandler _server = new();
    private readonly SimulatorWebhookQueue _queue = new();
    private readonly SimulatorSigner _signer = new();

    public void Dispose() => _signer.Dispose();

    /// <summary>A server that has not said where it listens: the configured address stands in.</summary>
    private sealed class NotListening : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    private sealed class OneClient(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private async Task<IReadOnlyList<RecordedRequest>> DeliverAsync(SimulatorOptions options, int expected, params string[] eventTypes)
    {
        foreach (var type in eventTypes)
        {
            _queue.Send(new SimulatedWebhook(type, new JsonObject { ["call_control_id"] = "v3:a" }, _clock.GetUtcNow()));
        }

        using var delivery = new WebhookDelivery(new SimulatorMode(true, "test"), _queue, _signer,
            new SimulatorAddress(new NotListening(), "http://0.0.0.0:8081"), new SimulatorRandom(new Random(1)), new OneClient(_server),
            Options.Create(options), Options.Create(new ConferenceOptions()), _clock, NullLogger<WebhookDelivery>.Instance);
        await delivery.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_server.Requests.Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await delivery.StopAsync(CancellationToken.None);
        return _server.Requests;
    }

    [Fact]
    public async Task Webhooks_GoToTheServersWebhookRoute_SignedSoTheRealVerifierAcceptsThem()
    {
        var requests = await DeliverAsync(new SimulatorOptions(), 1, "call.initiated");

        var request = Assert.Single(requests);
        Assert.Equal("/telnyx-conf-v2/start", request.Path);
        var verifier = new WebhookSignatureVerifier(Convert.FromBase64String(_signer.PublicKeyBase64), TimeSpan.FromSeconds(300));
        Assert.Equal(WebhookVerificationOutcome.Valid, verifier.Verify(request.Signature, request.Timestamp,
            System.Text.Encoding.UTF8.GetBytes(request.Body), _clock.GetUtcNow()));
        Assert.Equal("1800000000", request.Timestamp);
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, verifier.Verify(request.Signature, request.Timestamp,
            System.Text.Encoding.UTF8.GetBytes(request.Body + " "), _clock.GetUtcNow()));
        Assert.Equal("http://127.0.0.1:8081/telnyx-conf-v2/start", (string?)request.Json!["meta"]!["delivered_to"]);
    }

    [Fact]
    public async Task DuplicateRateOne_DeliversEachWebhookTwice_WithTheSameIdAndTheNextAttempt()
    {
        var requests = await DeliverAsync(new SimulatorOptions { DuplicateRate = 1 }, 2, "call.answered");

        Assert.Equal(2, requests.Count);
        Assert.Equal((string?)requests[0].Json!["data"]!["id"], (string?)requests[1].Json!["data"]!["id"]);
        Assert.Equal([1, 2], requests.Select(r => r.Json!["meta"]!["attempt"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ReorderRateOne_DeliversTheLaterWebhookFirst()
    {
        var requests = await DeliverAsync(new SimulatorOptions { ReorderRate = 1 }, 2, "call.answered", "call.hangup");

        Assert.Equal(["call.hangup", "call.answered"], requests.Select(r => (string?)r.Json!["data"]!["event_type"]));
        Assert.NotEqual((string?)requests[0].Json!["data"]!["id"], (string?)requests[1].Json!["data"]!["id"]);
    }

    [Fact]
    public async Task NoRealism_DeliversInOrder_Once()
    {
        var requests = await DeliverAsync(new SimulatorOptions(), 3, "call.initiated", "call.answered", "call.hangup");

        Assert.Equal(["call.initiated", "call.answered", "call.hangup"], requests.Select(r => (string?)r.Json!["data"]!["event_type"]));
    }
}
