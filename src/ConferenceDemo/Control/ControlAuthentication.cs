using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// HTTP Basic (a browser shows its prompt; <c>curl -u</c>) or a Bearer token (scripts). A client that fails too often
/// is refused with 429 until its minute is over, whatever it sends.
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
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var client = ClientKey.Of(Context);
        if (failures.IsLockedOut(client))
        {
            Context.Items[LockedOutKey] = true;
            return Task.FromResult(AuthenticateResult.Fail("too many failed attempts"));
        }

        var ok = header.Scheme.ToUpperInvariant() switch
        {
            "BASIC" => TryBasic(header.Parameter),
            "BEARER" => credentials.CheckToken(header.Parameter),
            _ => false,
        };
        if (!ok)
        {
            failures.RecordFailure(client);
            Log.Failed(Logger, client, header.Scheme);
            return Task.FromResult(AuthenticateResult.Fail("wrong credentials"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, credentials.User)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(LockedOutKey))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "60";
            await Response.WriteAsync("too many failed sign-in attempts; try again in a minute");
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"ConferenceDemo\", charset=\"UTF-8\"");
        Response.Headers.Append("WWW-Authenticate", "Bearer");
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("authentication required: HTTP Basic (CONTROL_USER/CONTROL_PASSWORD) or a Bearer token (CONTROL_TOKEN)");
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

/// <summary>Counts failed sign-ins per client in fixed one-minute windows.</summary>
public sealed class FailedSignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedSignInLimiter(IOptions<ControlOptions> options)
    {
        var limit = options.Value.FailedAttemptsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public bool IsLockedOut(string client) => _limiter.GetStatistics(client)?.CurrentAvailablePermits <= 0;

    public void RecordFailure(string client)
    {
        using var _ = _limiter.AttemptAcquire(client);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>How a client is told apart for rate limits: its IP address as the connection shows it.</summary>
internal static class ClientKey
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
