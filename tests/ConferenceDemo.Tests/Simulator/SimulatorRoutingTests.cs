using System.Net;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>
/// The typed Telnyx client as simulator mode wires it (its retries, then the routing to the simulator mount), with the
/// recording handler standing where the simulator's HTTP endpoint would answer.
/// </summary>
public sealed class SimulatorRoutingTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Telnyx:Simulator"] = "true";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ARetriedCommand_IsSentToTheSameSimulatedCommandOnEveryAttempt()
    {
        var internalError = File.ReadAllText(FixturePath("responses", "error_500_internal.json"));
        var attempts = 0;
        _app.Telnyx.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref attempts) <= 2
            ? RecordingTelnyxHandler.Json(HttpStatusCode.InternalServerError, internalError)
            : null);
        var telnyx = _app.Services.GetRequiredService<TelnyxClient>();

        var hangup = telnyx.HangupAsync("v3:leg-1", Guid.NewGuid().ToString());
        await _app.AdvancingAsync(hangup.ContinueWith(_ => true, TaskScheduler.Default));
        await hangup; // two failures, then the third attempt is answered

        var sent = _app.Telnyx.Requests;
        Assert.Equal(3, sent.Count);
        Assert.All(sent, r => Assert.Equal("/simulator/v2/calls/v3%3Aleg-1/actions/hangup", r.Path));
    }
}
