using System.Text;
using System.Text.Encodings.Web;
using ConferenceDemo.Control;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ConferenceDemo.Dashboard;

/// <summary>GET / : the dashboard, for the signed-in owner; GET /dashboard/{file}: its style sheet and script.</summary>
public static class DashboardPage
{
    /// <summary>Scripts and styles from this server only; no inline script, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication MapDashboardPage(this WebApplication app)
    {
        app.MapGet("/", PageAsync).WithName("GetDashboard").WithMetadata(new ControlRoute()).ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", Asset).WithName("GetDashboardAsset").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The page, to a person signed in with the session cookie or with HTTP Basic (a browser's own prompt). Without
    /// either, the sign-in page; with wrong Basic credentials, the control scheme's own answer (401 or 429).
    /// </summary>
    internal static async Task<IResult> PageAsync(HttpContext context, DashboardAssets assets, IAntiforgery antiforgery,
        IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator)
    {
        var owner = await policies.GetPolicyAsync(ControlExtensions.OwnerPolicy)
            ?? throw new InvalidOperationException("the owner policy is not registered");
        var signedIn = await evaluator.AuthenticateAsync(owner, context);
        if (!signedIn.Succeeded)
        {
            return context.Request.Headers.Authorization.Count > 0
                ? TypedResults.Challenge(authenticationSchemes: [ControlAuthenticationHandler.SchemeName])
                : TypedResults.Redirect("/signin");
        }

        // The token the page's requests carry (RequestVerificationToken header, the sign-out form's field).
        var token = HtmlEncoder.Default.Encode(antiforgery.GetAndStoreTokens(context).RequestToken ?? "");
        var html = Encoding.UTF8.GetString(assets.Find("index.html")!.Content)
            .Replace("<meta name=\"csrf-token\" content=\"\">", $"<meta name=\"csrf-token\" content=\"{token}\">", StringComparison.Ordinal)
            .Replace("name=\"__RequestVerificationToken\" value=\"\"", $"name=\"__RequestVerificationToken\" value=\"{token}\"", StringComparison.Ordinal);
        if (signedIn.Principal?.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == SignIn.Scheme) == true)
        {
            // Only a session can be ended here: a browser keeps Basic credentials until it is closed.
            html = html.Replace("action=\"/signout\" hidden>", "action=\"/signout\">", StringComparison.Ordinal);
        }

        Secure(context.Response);
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>The assets hold no data, only the page's code: they are served without sign-in, like any site's.</summary>
    internal static IResult Asset(string file, HttpContext context, DashboardAssets assets)
    {
        if (file.EndsWith(".html", StringComparison.Ordinal) || assets.Find(file) is not { } asset)
        {
            return TypedResults.NotFound();
        }

        Secure(context.Response);
        return TypedResults.File(asset.Content, asset.ContentType);
    }

    /// <summary>Headers of every page and asset: not cached stale, no other origin, no referrer, no framing.</summary>
    internal static void Secure(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
    }
}
