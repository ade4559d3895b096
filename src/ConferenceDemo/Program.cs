using ConferenceDemo.Control;
using ConferenceDemo.Dashboard;
using ConferenceDemo.Hosting;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Simulator;
using ConferenceDemo.Storage;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;

using var bootstrapLog = LoggingExtensions.CreateBootstrapLogger();   // until the settings' logger takes over
try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddSettingsFromEnvironment();   // .env, the TELNYX_* names, PORT
    builder.AddSerilogLogging();            // Hosting/: Serilog, LOG_FORMAT text|json, escaped values
    builder.AddTelnyxClient();              // Telnyx/: one typed client for every REST command
    builder.AddTelnyxWebhooks();            // Webhooks/: signature check and event parsing
    builder.AddStorage();                   // Storage/: rooms, inbox and outbox in SQLite (default), PostgreSQL or memory
    builder.AddRooms();                     // Rooms/: the room rules; Rooms/Processing/: turns, commands, the inbox
    builder.AddConferenceControl();         // Control/: owner sign-in, rate limits, JSON, OpenAPI
    builder.AddDashboard();                 // Dashboard/: live event streams, the page, sign-in for people
    builder.AddTelnyxSimulator();           // Simulator/: a simulated Telnyx in this process, when TELNYX_API_KEY is not set
    builder.AddReadiness();                 // Hosting/: /healthz (alive) and /readyz (the settings to work)

    var app = builder.Build();

    app.UseErrorAnswers();                  // Hosting/: a failure of ours answers 500 with its trace id, logged once
    app.UseRequestLogging();                // one line per request
    app.UseControlAccess();
    app.UseDashboardSessions();             // a signed-in page's requests carry its antiforgery token
    app.MapTelnyxWebhook();                 // POST /telnyx-conf-v2/start   (signed by Telnyx, no credentials)
    app.MapConferenceControl();             // GET  /telnyx-conf-v2/{list,mute,...}
    app.MapControlApi();                    // GET/POST /api/...
    app.MapRoomsApi();                      // GET /api/rooms, /api/rooms/{id}
    app.MapDashboard();                     // GET /, /signin, /api/events, /api/rooms/{id}/events
    app.MapTelnyxSimulator();               // simulator mode only: /simulator/v2 (Telnyx REST), /api/simulator/...
    app.MapOpenApi();                       // GET  /openapi/v1.json
    app.MapControlReference();              // GET  /scalar   (the API reference, signed in)
    app.MapHealthEndpoints();               // GET  /healthz, /readyz

    app.Run();
    return 0;
}
catch (Exception ex) when (StartupFailure.IsAddressInUse(ex))
{
    Console.Error.WriteLine($"ConferenceDemo cannot start: {StartupFailure.DescribeAddressInUse(ex)}");
    return 1;
}
catch (Exception ex) when (StartupFailure.IsSettingsError(ex))
{
    // A malformed setting: say which one and stop, without a stack trace.
    Console.Error.WriteLine($"ConferenceDemo cannot start: {StartupFailure.Describe(ex)}");
    return 1;
}
catch (Exception ex) when (StartupFailure.IsFatal(ex))
{
    bootstrapLog.Fatal(ex, "ConferenceDemo stopped: {Reason}", ex.Message);
    return 1;
}
