using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ConferenceDemo.Control;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>
/// Telnyx's own sign-in for the simulated REST API: any non-empty Bearer key is a Telnyx API client. Requests under
/// /simulator/v2 are forwarded here from the control scheme, so the typed client's key never counts as a failed
/// owner sign-in (which would lock the owner out).
/// </summary>
internal sealed class SimulatorApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "TelnyxSimulatorApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(header.Parameter))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "telnyx-api-client")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>Registers the scheme and sends /simulator/v2 requests to it instead of the owner's sign-in.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, SimulatorApiKeyHandler>(SchemeName, null);
        services.PostConfigure<AuthenticationSchemeOptions>(ControlAuthenticationHandler.SchemeName, control =>
        {
            var previous = control.ForwardDefaultSelector;
            control.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments(SimulatorRestApi.Mount, StringComparison.Ordinal) ? SchemeName : previous?.Invoke(context);
        });
    }
}
