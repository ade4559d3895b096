using System.Text.Json;
using System.Threading.RateLimiting;
using ConferenceDemo.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace ConferenceDemo.Control;

/// <summary>Marks an endpoint as a control route: owner only, rate limited per client.</summary>
internal sealed class ControlRoute;

public static partial class ControlExtensions
{
    public const string PullPolicy = "pull";
    public const string OwnerPolicy = "owner";

    /// <summary>Credentials, rate limits, Problem Details, JSON in snake_case, and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddConferenceControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ControlOptions>()
            .BindConfiguration(ControlOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>();
        builder.Services.AddSingleton<ControlCredentials>();
        builder.Services.AddSingleton<RoomControl>();
        builder.Services.AddSingleton<FailedSignInLimiter>();
        builder.Services.AddHostedService<GeneratedPasswordNotice>();

        builder.Services.AddAuthentication(ControlAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ControlAuthenticationHandler>(ControlAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OwnerPolicy, policy => policy.AddAuthenticationSchemes(ControlAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => TooManyAsync(context.HttpContext, "too many requests",
                $"more than {SettingNames.Describe("Control:RequestsPerMinute")} = {Settings(context.HttpContext).RequestsPerMinute} control requests this minute from this client; try again in a minute");

            // Every control route: a budget per client. Webhooks and /healthz are not limited here.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<ControlRoute>() is null
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetFixedWindowLimiter(ClientKey.Of(context), _ => Window(Settings(context).RequestsPerMinute)));

            // Dialing out costs money: one budget for the whole server.
            limiter.AddPolicy<string, PullLimit>(PullPolicy);
        });

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ControlOptions>>((forwarded, control) =>
            ControlOptions.ConfigureTrustedProxies(forwarded, control.Value.TrustedProxies));

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer<ControlOpenApi>();
            openApi.AddOperationTransformer<ControlOpenApi>();
        });
        return builder;
    }

    /// <summary>nosniff on every answer; sign-in, then the rate limits, in front of every endpoint that asks for them.</summary>
    public static WebApplication UseControlAccess(this WebApplication app)
    {
        // First, so that every later step (sign-in limits, rate limits, the same-origin check) sees the client's
        // own address and scheme when a trusted proxy (TRUSTED_PROXIES) forwards the request.
        if (app.Services.GetRequiredService<IOptions<ControlOptions>>().Value.TrustedProxyList.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        // Control routes echo what they were given (a participant id) in text: never let a browser read it as HTML.
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The interactive API reference (Scalar) at /scalar, behind the same sign-in as the control routes.</summary>
    public static IEndpointConventionBuilder MapControlReference(this IEndpointRouteBuilder app) =>
        app.MapGroup("").RequireControlAccess().ExcludeFromDescription().MapScalarApiReference(scalar => scalar
            .WithTitle("ConferenceDemo control API")
            .AddPreferredSecuritySchemes(ControlOpenApi.Basic, ControlOpenApi.Bearer));

    /// <summary>Owner only, and counted against the client's control budget.</summary>
    public static RouteGroupBuilder RequireControlAccess(this RouteGroupBuilder group)
    {
        group.RequireAuthorization(OwnerPolicy).WithMetadata(new ControlRoute()).AddEndpointFilter<SameOriginOnly>();
        return group;
    }

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    private static ControlOptions Settings(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<ControlOptions>>().Value;

    private static async ValueTask TooManyAsync(HttpContext context, string title, string detail)
    {
        context.Response.Headers.RetryAfter = "60";
        await ControlAnswers.WriteAsync(context, StatusCodes.Status429TooManyRequests, title, detail);
    }

    /// <summary>The pull budget, with its own answer naming its setting.</summary>
    private sealed class PullLimit(IOptions<ControlOptions> options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (context, _) => TooManyAsync(context.HttpContext, "too many pulls",
            $"more than {SettingNames.Describe("Control:PullsPerMinute")} = {options.Value.PullsPerMinute} pulls (dial-outs) this minute for the whole server; try again in a minute");

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetFixedWindowLimiter(PullPolicy, _ => Window(options.Value.PullsPerMinute));
    }

    /// <summary>Prints a generated password once, to the console only: not through the logger, whose sinks may be files.</summary>
    private sealed partial class GeneratedPasswordNotice(ControlCredentials credentials, ILogger<GeneratedPasswordNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (credentials.GeneratedPassword is { } password)
            {
                Generated(logger);
                Console.Out.WriteLine($"Control routes: user '{credentials.User}', password '{password}' (generated for this run; " +
                    "set CONTROL_PASSWORD or CONTROL_TOKEN to choose your own)");
                Console.Out.Flush();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 1200, EventName = "ControlPasswordGenerated", Level = LogLevel.Warning, Message = "Neither CONTROL_PASSWORD nor CONTROL_TOKEN is set: a password was generated and printed once on the console")]
        private static partial void Generated(ILogger logger);
    }
}
