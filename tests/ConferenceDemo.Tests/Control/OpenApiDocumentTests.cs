using System.Net;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;

namespace ConferenceDemo.Tests.Control;

/// <summary>/openapi/v1.json describes sign-in, parameters and answers as the routes really behave; /scalar shows it.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private static readonly string[] Actions = ["mute", "unmute", "hold", "unhold", "record-start", "record-stop"];

    private readonly ConferenceDemoApplication _app = new();
    private JsonNode _document = null!;

    public async Task InitializeAsync()
    {
        using var client = _app.CreateClient();
        _document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IEnumerable<(string Path, string Method, JsonNode Operation)> Operations() =>
        _document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => m.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(m => (path.Key, m.Key, m.Value!)));

    private JsonNode Operation(string path, string method) =>
        _document["paths"]?[path]?[method] ?? throw new Xunit.Sdk.XunitException($"{method} {path} is not documented");

    private static IReadOnlyList<string> Statuses(JsonNode operation) => [.. operation["responses"]!.AsObject().Select(r => r.Key)];

    [Fact]
    public void BasicAndBearer_AreDeclaredAsHttpSecuritySchemes()
    {
        var schemes = _document["components"]!["securitySchemes"]!;
        Assert.Equal("http", schemes["basic"]!["type"]!.GetValue<string>());
        Assert.Equal("basic", schemes["basic"]!["scheme"]!.GetValue<string>());
        Assert.Equal("http", schemes["bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public void EveryControlRoute_RequiresBasicOrBearer_AndAnswers401And429()
    {
        var operations = Operations().ToList();
        Assert.True(operations.Count >= 16, $"only {operations.Count} operations documented");
        foreach (var (path, method, operation) in operations)
        {
            var security = operation["security"]?.AsArray().Select(r => string.Join(",", r!.AsObject().Select(s => s.Key))).ToList() ?? [];
            Assert.True(security.SequenceEqual(["basic", "bearer"]), $"{method} {path}: security is [{string.Join("; ", security)}]");
            Assert.Contains("401", Statuses(operation));
            Assert.Contains("429", Statuses(operation));
        }
    }

    [Fact]
    public void TheGetUrls_DocumentTheirQueryParameters()
    {
        foreach (var action in Actions)
        {
            var parameter = Assert.Single(Operation($"/telnyx-conf-v2/{action}", "get")["parameters"]!.AsArray());
            Assert.Equal("participant", parameter!["name"]!.GetValue<string>());
            Assert.Equal("query", parameter["in"]!.GetValue<string>());
            Assert.True(parameter["required"]!.GetValue<bool>());
            Assert.Equal("string", parameter["schema"]!["type"]!.GetValue<string>());
        }

        var number = Assert.Single(Operation("/telnyx-conf-v2/pull", "get")["parameters"]!.AsArray());
        Assert.Equal(("number", "query"), (number!["name"]!.GetValue<string>(), number["in"]!.GetValue<string>()));
    }

    [Fact]
    public void ThePostRoutes_DocumentTheirPathParameter()
    {
        foreach (var action in Actions)
        {
            var parameter = Assert.Single(Operation($"/api/participants/{{callControlId}}/{action}", "post")["parameters"]!.AsArray());
            Assert.Equal(("callControlId", "path"), (parameter!["name"]!.GetValue<string>(), parameter["in"]!.GetValue<string>()));
        }
    }

    [Fact]
    public void EveryRoute_DocumentsTheStatusesItCanAnswer()
    {
        string[] telnyx = ["502", "503", "504"];
        foreach (var action in Actions)
        {
            Assert.Equivalent(new[] { "200", "400", "401", "403", "404", "410", "429" }.Concat(telnyx),
                Statuses(Operation($"/telnyx-conf-v2/{action}", "get")), strict: true);
            Assert.Equivalent(new[] { "200", "400", "401", "403", "404", "410", "415", "429" }.Concat(telnyx),
                Statuses(Operation($"/api/participants/{{callControlId}}/{action}", "post")), strict: true);
        }

        Assert.Equivalent(new[] { "200", "400", "401", "403", "429" }.Concat(telnyx), Statuses(Operation("/telnyx-conf-v2/pull", "get")), strict: true);
        Assert.Equivalent(new[] { "202", "400", "401", "403", "415", "429" }.Concat(telnyx), Statuses(Operation("/api/calls", "post")), strict: true);
        Assert.Equivalent(new[] { "200", "401", "429" }, Statuses(Operation("/telnyx-conf-v2/list", "get")), strict: true);
        Assert.Equivalent(new[] { "200", "401", "429" }, Statuses(Operation("/api/conference", "get")), strict: true);
    }

    [Fact]
    public async Task StatusesTheRoutesReallyAnswer_AreDocumented()
    {
        // A few real answers, checked against the document, so it cannot drift from the code unnoticed.
        using var anonymous = _app.CreateClient();
        using var signedIn = _app.CreateControlClient();
        var answers = new List<(string Path, string Method, HttpStatusCode Status)>();
        using (var r = await anonymous.GetAsync("/telnyx-conf-v2/mute?participant=v3:x"))
        {
            answers.Add(("/telnyx-conf-v2/mute", "get", r.StatusCode));
        }

        using (var r = await signedIn.GetAsync("/telnyx-conf-v2/mute"))
        {
            answers.Add(("/telnyx-conf-v2/mute", "get", r.StatusCode));
        }

        using (var r = await signedIn.GetAsync("/telnyx-conf-v2/hold?participant=v3:nobody"))
        {
            answers.Add(("/telnyx-conf-v2/hold", "get", r.StatusCode));
        }

        using (var r = await signedIn.PostAsync("/api/calls", new StringContent("number=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            answers.Add(("/api/calls", "post", r.StatusCode));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.UnsupportedMediaType],
            answers.Select(a => a.Status));
        foreach (var (path, method, status) in answers)
        {
            Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), Statuses(Operation(path, method)));
        }
    }

    [Fact]
    public async Task TheReferencePage_IsBehindTheSameSignIn()
    {
        using var anonymous = _app.CreateClient();
        foreach (var path in new[] { "/scalar", "/scalar/", "/scalar/v1" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.DoesNotContain("openapi", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using var wrong = _app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token-at-all");
        using var refusedAgain = await wrong.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.Unauthorized, refusedAgain.StatusCode);

        using var signedIn = _app.CreateControlClient();
        using var page = await signedIn.GetAsync("/scalar/"); // "/scalar" redirects here; HttpClient drops credentials on a redirect
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ConferenceDemo control API", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal); // the page reads the document above
    }
}
