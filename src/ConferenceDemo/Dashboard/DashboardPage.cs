using ConferenceDemo.Control;
using Microsoft.AspNetCore.Http.HttpResults;

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
        app.MapGroup("/").RequireControlAccess().MapGet("/", Page).WithName("GetDashboard").ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", Asset).WithName("GetDashboardAsset").ExcludeFromDescription();
        return app;
    }

    internal static Results<FileContentHttpResult, NotFound> Page(HttpContext context, DashboardAssets assets) =>
        Serve(context, assets, "index.html");

    /// <summary>The assets hold no data, only the page's code: they are served without sign-in, like any site's.</summary>
    internal static Results<FileContentHttpResult, NotFound> Asset(string file, HttpContext context, DashboardAssets assets) =>
        file.EndsWith(".html", StringComparison.Ordinal) ? TypedResults.NotFound() : Serve(context, assets, file);

    private static Results<FileContentHttpResult, NotFound> Serve(HttpContext context, DashboardAssets assets, string name)
    {
        if (assets.Find(name) is not { } asset)
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.File(asset.Content, asset.ContentType);
    }
}
