using System.Net;
using ConferenceDemo.Tests.Infrastructure;

namespace ConferenceDemo.Tests.Hosting;

/// <summary>/healthz says the process lives; /readyz says whether it can do its work, and if not, what is missing.</summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task WithBothKeys_ReadyzAnswers200()
    {
        using var ready = await _app.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Ready", await ready.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Telnyx:ApiKey", "TELNYX_API_KEY")]
    [InlineData("Webhooks:PublicKey", "TELNYX_PUBLIC_KEY")]
    public async Task WithoutAKey_ReadyzAnswers503NamingIt_AndHealthzStaysHealthy(string key, string name)
    {
        var value = _app.Settings[key]!;
        _app.Settings[key] = "";

        using var ready = await _app.CreateClient().GetAsync("/readyz");
        using var alive = await _app.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var text = await ready.Content.ReadAsStringAsync();
        Assert.StartsWith("Not ready:", text, StringComparison.Ordinal);
        Assert.Contains($"{name} is not set", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n').Skip(1));
        Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
