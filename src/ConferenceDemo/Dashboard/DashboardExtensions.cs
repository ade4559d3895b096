using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Dashboard;

public static class DashboardExtensions
{
    /// <summary>The live event streams, the log of who left, and the page's assets.</summary>
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
        return builder;
    }

    /// <summary>GET / (the page), its assets, and the live event streams.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapRoomEvents();
        app.MapDashboardPage();
        return app;
    }
}
