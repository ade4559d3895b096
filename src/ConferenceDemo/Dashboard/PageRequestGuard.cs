using ConferenceDemo.Control;
using Microsoft.AspNetCore.Antiforgery;

namespace ConferenceDemo.Dashboard;

/// <summary>
/// State-changing requests signed in with the session cookie must carry the page's antiforgery token (header
/// RequestVerificationToken). Scripts with Basic or Bearer credentials and no cookie are not asked for one; requests
/// from another site are refused before this by the control routes' same-origin check.
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

    private static Task Refuse(HttpContext context, int status, string reason) =>
        ControlAnswers.WriteAsync(context, status, "antiforgery token required", reason);

    /// <summary>The category of this guard's log lines.</summary>
    private sealed class Marker;

    private static partial class Log
    {
        [LoggerMessage(1720, LogLevel.Warning, "Refused {Path}: {Why}", EventName = "PageRequestRefused")]
        public static partial void Refused(ILogger logger, string path, string why);
    }
}
