using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// HTTP Basic (a browser shows its prompt; <c>curl -u</c>) or a Bearer token (scripts), on the control routes only.
/// A client that guesses wrong too often has further wrong guesses refused with 429 until its minute is over; the
/// right credentials are always let in.
/// </summary>
public sealed partial class ControlAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ControlCredentials credentials,
    FailedSignInLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Control";
    private const string LockedOutKey = "ConferenceDemo.LockedOut";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only the control routes take credentials: a guess sent to the webhook or /healthz is not even looked at.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<ControlRoute>() is null
            || !AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var ok = header.Scheme.ToUpperInvariant() switch
        {
            "BASIC" => TryBasic(header.Parameter),
            "BEARER" => credentials.CheckToken(header.Parameter),
            _ => false,
        };
        if (ok)
        {
            // The right credentials always get in, even while wrong guesses are refused: a stranger who guesses
            // often cannot lock the owner out.
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, credentials.User)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }

        var client = ClientKey.Of(Context);
        if (!failures.TryRecordFailure(client))
        {
            Context.Items[LockedOutKey] = true;
            return Task.FromResult(AuthenticateResult.Fail("too many failed attempts"));
        }

        Log.Failed(Logger, client, header.Scheme);
        return Task.FromResult(AuthenticateResult.Fail("wrong credentials"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(LockedOutKey))
        {
            Response.Headers.RetryAfter = "60";
            await ControlAnswers.WriteAsync(Context, StatusCodes.Status429TooManyRequests, "too many failed sign-ins",
                "too many failed sign-in attempts (CONTROL_AUTH_FAILURES_PER_MINUTE); wrong guesses are refused for the rest of the minute, the right credentials still work");
            return;
        }

        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"ConferenceDemo\", charset=\"UTF-8\"");
        Response.Headers.Append("WWW-Authenticate", "Bearer");
        await ControlAnswers.WriteAsync(Context, StatusCodes.Status401Unauthorized, "authentication required",
            "authentication required: HTTP Basic (CONTROL_USER/CONTROL_PASSWORD) or a Bearer token (CONTROL_TOKEN)");
    }

    private bool TryBasic(string parameter)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && credentials.CheckBasic(decoded[..colon], decoded[(colon + 1)..]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1210, EventName = "ControlSignInFailed", Level = LogLevel.Warning, Message = "Control sign-in failed ({Scheme}) from {Client}")]
        public static partial void Failed(ILogger logger, string client, string scheme);
    }
}

/// <summary>
/// Counts failed sign-ins in fixed one-minute windows, per client and for all clients together (ten times the
/// per-client limit), so neither one address nor many can guess without bound.
/// </summary>
public sealed class FailedSignInLimiter : IDisposable
{
    public const int AllClientsFactor = 10;
    private const string AllClients = "*";
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedSignInLimiter(IOptions<ControlOptions> options)
    {
        var limit = options.Value.FailedAttemptsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client,
            key => new FixedWindowRateLimiterOptions
            {
                PermitLimit = key == AllClients ? limit * AllClientsFactor : limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
            }));
    }

    /// <summary>Counts one wrong guess; false when this client, or all clients together, are past their limit.</summary>
    public bool TryRecordFailure(string client)
    {
        using var mine = _limiter.AttemptAcquire(client);
        if (!mine.IsAcquired)
        {
            return false;
        }

        using var all = _limiter.AttemptAcquire(AllClients);
        return all.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// How a client is told apart for rate limits: its IP address as the connection shows it, or, from a proxy listed in
/// TRUSTED_PROXIES, as that proxy's X-Forwarded-For says (ASP.NET's forwarded-headers middleware sets it).
/// </summary>
internal static class ClientKey
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
