using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using ConferenceDemo.Control;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ConferenceDemo.Dashboard;

/// <summary>
/// Sign-in for people: GET /signin (the page), POST /signin (its form, with an antiforgery token) starts a cookie
/// session, POST /signout ends it. The same credentials and the same failed-attempt limit as HTTP Basic.
/// </summary>
public static partial class SignIn
{
    public const string Scheme = "DashboardSession";
    public const string CookieName = "ConferenceDemo.Session";

    public static WebApplication MapSignIn(this WebApplication app)
    {
        var pages = app.MapGroup("").WithMetadata(new ControlRoute()).ExcludeFromDescription().DisableAntiforgery();
        pages.MapGet("/signin", Page).WithName("GetSignIn");
        pages.MapPost("/signin", SignInAsync).WithName("PostSignIn");
        pages.MapPost("/signout", SignOutAsync).WithName("PostSignOut");
        return app;
    }

    internal static IResult Page(HttpContext context, DashboardAssets assets, IAntiforgery antiforgery) =>
        Form(context, assets, antiforgery, StatusCodes.Status200OK, message: "", user: "");

    internal static async Task<IResult> SignInAsync(HttpContext context, DashboardAssets assets, IAntiforgery antiforgery,
        ControlCredentials credentials, FailedSignInLimiter failures, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignIn));
        if (!context.Request.HasFormContentType)
        {
            return TypedResults.Problem("sign in with the form at GET /signin", statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "form expected");
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Form(context, assets, antiforgery, StatusCodes.Status400BadRequest,
                "The form expired or did not come from this page: please try again.", "");
        }

        var client = ClientKey.Of(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = form["user"].ToString();
        if (!credentials.CheckBasic(user, form["password"].ToString()))
        {
            // The same count as wrong Basic guesses. The right credentials always get in, so a stranger who guesses
            // often cannot lock the owner out.
            if (!failures.TryRecordFailure(client))
            {
                context.Response.Headers.RetryAfter = "60";
                return Form(context, assets, antiforgery, StatusCodes.Status429TooManyRequests,
                    "Too many failed sign-in attempts: wrong guesses are refused for the rest of the minute.", user);
            }

            Log.Failed(logger, client);
            return Form(context, assets, antiforgery, StatusCodes.Status401Unauthorized, "Wrong user or password.", user);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, credentials.User), new Claim(ClaimTypes.NameIdentifier, credentials.User)], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        Log.SignedIn(logger, client);
        return SeeOther("/");
    }

    internal static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        // Only the page's own form may end the session: another site cannot sign the owner out. The token was made for
        // the session's user, so the session is read first.
        if (await context.AuthenticateAsync(Scheme) is { Succeeded: true, Principal: { } session })
        {
            context.User = session;
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem("the sign-out form is stale; reload the page", statusCode: StatusCodes.Status400BadRequest,
                title: "bad antiforgery token");
        }

        await context.SignOutAsync(Scheme);
        return SeeOther("/signin");
    }

    /// <summary>303: the browser follows with GET, so a reload does not post the form again.</summary>
    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    private static IResult Form(HttpContext context, DashboardAssets assets, IAntiforgery antiforgery, int status, string message, string user)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = Encoding.UTF8.GetString(assets.Find("signin.html")!.Content)
            .Replace("{{token}}", HtmlEncoder.Default.Encode(tokens.RequestToken ?? ""), StringComparison.Ordinal)
            .Replace("{{message}}", HtmlEncoder.Default.Encode(message), StringComparison.Ordinal)
            .Replace("{{user}}", HtmlEncoder.Default.Encode(user), StringComparison.Ordinal);
        DashboardPage.Secure(context.Response);
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>The session cookie: HttpOnly, SameSite=Strict, Secure when the request came over HTTPS.</summary>
    internal static void Configure(CookieAuthenticationOptions cookie, int hours)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = TimeSpan.FromHours(hours);
        cookie.SlidingExpiration = true;
        cookie.LoginPath = "/signin";

        // The control scheme answers a request that is not signed in (401 with a Basic prompt, or 429); the cookie
        // scheme stays silent so the two never both write an answer.
        cookie.Events.OnRedirectToLogin = _ => Task.CompletedTask;
        cookie.Events.OnRedirectToAccessDenied = _ => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1710, LogLevel.Warning, "Dashboard sign-in failed from {Client}", EventName = "DashboardSignInFailed")]
        public static partial void Failed(ILogger logger, string client);

        [LoggerMessage(1711, LogLevel.Information, "Dashboard sign-in from {Client}", EventName = "DashboardSignedIn")]
        public static partial void SignedIn(ILogger logger, string client);
    }
}
