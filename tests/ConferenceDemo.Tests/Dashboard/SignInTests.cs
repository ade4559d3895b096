using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>Sign-in for people: the page, its form, the session cookie, antiforgery on what the page sends, sign-out.</summary>
public sealed partial class SignInTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A browser-like client: it keeps cookies and does not follow redirects, so the test sees them.</summary>
    private HttpClient Browser(string baseAddress = "http://localhost") =>
        _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri(baseAddress) });

    private static async Task<string> TokenOfAsync(HttpResponseMessage page)
    {
        var html = await page.Content.ReadAsStringAsync();
        var match = TokenField().Match(html);
        Assert.True(match.Success, "no antiforgery token in the page");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string Name, string Value)[] fields) =>
        await client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    private async Task<(HttpClient Client, HttpResponseMessage Answer)> SignInAsync(string password = ConferenceDemoApplication.ControlPassword,
        string baseAddress = "http://localhost")
    {
        var client = Browser(baseAddress);
        using var page = await client.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var answer = await PostFormAsync(client, "/signin", ("__RequestVerificationToken", await TokenOfAsync(page)),
            ("user", ConferenceDemoApplication.ControlUser), ("password", password));
        return (client, answer);
    }

    [Fact]
    public async Task SigningIn_StartsAStrictHttpOnlySession_ThatOpensThePageAndTheApi()
    {
        var (client, answer) = await SignInAsync();
        using var _ = client;
        using var __ = answer;

        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
        var cookie = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ConferenceDemo.Session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ConferenceDemoApplication.ControlPassword, cookie, StringComparison.Ordinal);

        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("action=\"/signout\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var rooms = await client.GetAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.OK, rooms.StatusCode);
    }

    [Fact]
    public async Task OverHttps_TheSessionCookieIsSecure()
    {
        var (client, answer) = await SignInAsync(baseAddress: "https://localhost");
        using var _ = client;
        using var __ = answer;

        var cookie = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ConferenceDemo.Session=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ASessionsPost_NeedsThePagesToken_InAHeader()
    {
        var (client, answer) = await SignInAsync();
        using var _ = client;
        answer.Dispose();

        using var without = await client.PostAsync("/api/participants/v3%3Anobody/mute", null);
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Contains("antiforgery", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var page = await client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(MetaToken().Match(html).Groups[1].Value);
        Assert.NotEmpty(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/participants/v3%3Anobody/mute");
        request.Headers.Add("RequestVerificationToken", token);
        using var with = await client.SendAsync(request);

        // Past the guard: the action itself answers (there is no conference).
        Assert.Equal(HttpStatusCode.NotFound, with.StatusCode);
    }

    [Fact]
    public async Task BasicAndBearerCallers_AreNotAskedForAToken()
    {
        using var basic = _app.CreateControlClient();
        using var basicAnswer = await basic.PostAsync("/api/participants/v3%3Anobody/mute", null);
        using var bearer = _app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);
        using var bearerAnswer = await bearer.PostAsync("/api/participants/v3%3Anobody/mute", null);

        Assert.Equal(HttpStatusCode.NotFound, basicAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bearerAnswer.StatusCode);
    }

    [Fact]
    public async Task APostFromAnotherSite_IsRefused_EvenWithTheBrowsersBasicCredentials()
    {
        using var client = _app.CreateControlClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/participants/v3%3Anobody/mute");
        request.Headers.Add("Origin", "https://evil.example");
        using var answer = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Contains("evil.example", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSignInForm_WithoutItsToken_IsRefused()
    {
        using var client = Browser();
        using var answer = await PostFormAsync(client, "/signin",
            ("user", ConferenceDemoApplication.ControlUser), ("password", ConferenceDemoApplication.ControlPassword));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith("ConferenceDemo.Session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPasswords_ShowTheFormAgain_AndCountAgainstTheSameLimitAsBasic()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "3";

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (client, answer) = await SignInAsync(password: "wrong");
            using var _ = client;
            using var __ = answer;
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            var html = await answer.Content.ReadAsStringAsync();
            Assert.Contains("Wrong user or password.", html, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong\"", html, StringComparison.Ordinal); // the password is not echoed
        }

        // Past the limit: the next wrong guess, on the page or with Basic, is refused with 429.
        var (locked, lockedAnswer) = await SignInAsync(password: "wrong again");
        using (locked)
        using (lockedAnswer)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, lockedAnswer.StatusCode);
        }

        using var basic = _app.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:guess")));
        using var basicAnswer = await basic.GetAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.TooManyRequests, basicAnswer.StatusCode);

        // The right password still gets the owner in.
        var (owner, ownerAnswer) = await SignInAsync();
        using (owner)
        using (ownerAnswer)
        {
            Assert.Equal(HttpStatusCode.SeeOther, ownerAnswer.StatusCode);
        }
    }

    [Fact]
    public async Task SigningOut_EndsTheSession()
    {
        var (client, answer) = await SignInAsync();
        using var _ = client;
        answer.Dispose();
        using var page = await client.GetAsync("/");
        var token = await TokenOfAsync(page);

        using var signedOut = await PostFormAsync(client, "/signout", ("__RequestVerificationToken", token));
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Equal("/signin", signedOut.Headers.Location?.OriginalString);

        using var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        using var api = await client.GetAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task SigningOut_WithoutThePagesToken_IsRefused()
    {
        var (client, answer) = await SignInAsync();
        using var _ = client;
        answer.Dispose();

        using var refused = await client.PostAsync("/signout", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var still = await client.GetAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex MetaToken();
}
