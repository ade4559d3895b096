using Microsoft.AspNetCore.Antiforgery;

namespace ConferenceDemo.Dashboard;

/// <summary>
/// State-changing requests from a browser: one signed in with the session cookie must carry the page's antiforgery
/// token (header RequestVerificationToken); any request a browser marks as coming from another origin is refused.
/// Scripts with Basic or Bearer credentials and no cookie are not asked for a token.
/// </summary>
public static partial class PageRequestGuard
{
    public static WebApplication UsePageRequestGuard(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                || HttpMethods.IsOptions(context.Request.Method) || IsSignInForm(context.Request))
            {
                await next(context);
                return;
            }

            if (IsCrossOrigin(context.Request))
            {
                Log.Refused(context.RequestServices.GetRequiredService<ILogger<Marker>>(), context.Request.Path, "cross-origin");
                await Refuse(context, StatusCodes.Status403Forbidden, "a request from another site is refused");
                return;
            }

            if (SignedInByCookie(context) && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                Log.Refused(context.RequestServices.GetRequiredService<ILogger<Marker>>(), context.Request.Path, "antiforgery");
                await Refuse(context, StatusCodes.Status400BadRequest,
                    "the antiforgery token is missing or stale: reload the page (scripts: use Basic or Bearer credentials)");
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>The sign-in and sign-out forms check their own token.</summary>
    private static bool IsSignInForm(HttpRequest request) =>
        request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/signout", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the user was let in by the session cookie rather than by a header the caller sent.</summary>
    private static bool SignedInByCookie(HttpContext context) =>
        context.Request.Headers.Authorization.Count == 0
        && context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == SignIn.Scheme);

    /// <summary>Browsers name the site a request came from (Sec-Fetch-Site, Origin); curl and scripts send neither.</summary>
    private static bool IsCrossOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site")
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task Refuse(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason, context.RequestAborted);
    }

    /// <summary>The category of this guard's log lines.</summary>
    private sealed class Marker;

    private static partial class Log
    {
        [LoggerMessage(1720, LogLevel.Warning, "Refused {Path}: {Why}", EventName = "PageRequestRefused")]
        public static partial void Refused(ILogger logger, string path, string why);
    }
}
