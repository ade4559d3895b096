namespace ConferenceDemo.Bench;

/// <summary>The reference server (`--bare`): an ASP.NET Core endpoint that reads the body and answers 200.</summary>
internal static class BareServer
{
    public static int Run(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder([.. args.Where(a => a != "--bare")]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/telnyx-conf-v2/start", ReadAndAnswerAsync);
        app.MapGet("/healthz", () => "Healthy");
        app.Run();
        return 0;
    }

    private static async Task ReadAndAnswerAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
