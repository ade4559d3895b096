using ConferenceDemo.Control;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Dashboard;

public static class DashboardExtensions
{
    /// <summary>The live event streams, the log of who left, the page's assets, and sign-in for people.</summary>
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>()
            .BindConfiguration(DashboardOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        builder.Services.TryAddSingleton(services => new HeartbeatClock(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ControlCatalog>();
        builder.Services.AddSingleton<DepartureLog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DepartureLog>());
        builder.Services.AddSingleton<DashboardAssets>();

        // A session cookie is one more way to be the owner: the owner policy accepts it beside Basic and Bearer.
        builder.Services.AddAuthentication().AddCookie(SignIn.Scheme);
        builder.Services.AddOptions<CookieAuthenticationOptions>(SignIn.Scheme)
            .Configure<IOptions<DashboardOptions>>((cookie, options) => SignIn.Configure(cookie, options.Value.SessionHours));
        builder.Services.PostConfigure<AuthorizationOptions>(authorization =>
        {
            var owner = authorization.GetPolicy(ControlExtensions.OwnerPolicy)
                ?? throw new InvalidOperationException("AddConferenceControl must come before AddDashboard");
            authorization.AddPolicy(ControlExtensions.OwnerPolicy, new AuthorizationPolicyBuilder(owner)
                .AddAuthenticationSchemes(SignIn.Scheme).Build());
        });
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = "RequestVerificationToken";
            antiforgery.Cookie.Name = "ConferenceDemo.Antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    /// <summary>Behind sign-in: the page's token on every state-changing request a session makes.</summary>
    public static WebApplication UseDashboardSessions(this WebApplication app) => app.UsePageRequestGuard();

    /// <summary>GET / (the page), its assets, sign-in and sign-out, and the live event streams.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapRoomEvents();
        app.MapDashboardPage();
        app.MapSignIn();
        return app;
    }
}
