using System.Net;
using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using static ConferenceDemo.Tests.Conference.CallFlowScenarioTests;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Webhooks;

/// <summary>The dedupe store (IWebhookInbox, a seam the project owns) failing: Telnyx still gets its answer.</summary>
public sealed class WebhookInboxFailureTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();
    private readonly Mock<IWebhookInbox> _inbox = new(MockBehavior.Strict);

    public Task InitializeAsync()
    {
        _app.ReplaceServices = services =>
        {
            services.RemoveAll<IWebhookInbox>();
            services.AddSingleton(_inbox.Object);
        };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DedupeThrows_TheWebhookIsAnswered200_AndTheEventIsApplied()
    {
        _inbox.Setup(i => i.TryAcceptAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("the store is down"));

        using var response = await _app.PostWebhookAsync(Initiated(A, from: FromA));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A));
        _inbox.Verify(i => i.TryAcceptAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Single(_app.Log.WithEventId(1003));
    }

    [Fact]
    public async Task DedupeSaysSeen_TheWebhookIsAnswered200_AndNothingIsApplied()
    {
        var body = Initiated(A, from: FromA);
        var id = System.Text.Json.Nodes.JsonNode.Parse(body)!["data"]!["id"]!.GetValue<string>();
        _inbox.Setup(i => i.TryAcceptAsync(id, It.IsAny<CancellationToken>())).ReturnsAsync(false);

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
        _inbox.VerifyAll();
    }
}
