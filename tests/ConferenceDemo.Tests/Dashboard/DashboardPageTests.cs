using System.Net;
using ConferenceDemo.Tests.Infrastructure;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>GET / and its assets: served by the server itself, locked to this origin, the page for the owner only.</summary>
public sealed class DashboardPageTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Page_IsServedToTheSignedInOwner_WithItsOwnScriptAndNoOtherOrigin()
    {
        using var client = _app.CreateControlClient();
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/dashboard/dashboard.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html.Replace("https://…", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_WithoutSignIn_RedirectsToTheSignInPage()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Page_WithWrongBasicCredentials_AsksAgain()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:wrong")));
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Theory]
    [InlineData("/dashboard/dashboard.js", "text/javascript", "new EventSource(\"/api/events\")")]
    [InlineData("/dashboard/dashboard.css", "text/css", "prefers-color-scheme")]
    public async Task Assets_AreServedFromTheAssembly(string path, string mediaType, string excerpt)
    {
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(excerpt, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard/index.html")]
    [InlineData("/dashboard/nothing.js")]
    public async Task OtherFiles_Answer404(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Script_NeverWritesHtmlFromData()
    {
        using var response = await _app.CreateClient().GetAsync("/dashboard/dashboard.js");
        var script = await response.Content.ReadAsStringAsync();

        // Numbers and names come from callers: they are set as text, never parsed as HTML.
        Assert.Contains("textContent", script, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("outerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("document.write", script, StringComparison.Ordinal);
    }
}
