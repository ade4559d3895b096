using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// The legs most host tests use and the call-flow steps they share, each asserting the commands the server sends
/// for it. A test class imports them with <c>using static</c>.
/// </summary>
public static class CallSteps
{
    /// <summary>Inbound legs A, B and C, and D, a leg the server dialed.</summary>
    public const string A = "v3:ccid-A", B = "v3:ccid-B", C = "v3:ccid-C", D = "v3:dialed-1";

    /// <summary>The callers' numbers for A, B and C, and the number the server dials for D.</summary>
    public const string FromA = "+15550000001", FromB = "+15550000002", FromC = "+15550000003", Dialed = "+15557654321";

    /// <summary>A calls in, is answered and greeted, opens conference conf-1 and, alone in it, is put on hold.</summary>
    public static async Task FirstCallerOpensConferenceAsync(ConferenceDemoApplication app)
    {
        Expect.Commands(await app.DeliverAsync(Initiated(A, from: FromA)), Expect.Answer(A));
        Expect.Commands(await app.DeliverAsync(Answered(A, FromA)), Expect.SpeakFirst(A), Expect.Create(A));
        Expect.Commands(await app.DeliverAsync(Created("conf-1", A)));
        Expect.Commands(await app.DeliverAsync(Joined(A, "conf-1")), Expect.Hold("conf-1", A));
    }

    /// <summary>
    /// Another caller calls in while conf-1 runs: answered, greeted and sent into conf-1 (the joined event is left
    /// to the test).
    /// </summary>
    public static async Task CallerJoinsAsync(ConferenceDemoApplication app, string ccid, string from)
    {
        Expect.Commands(await app.DeliverAsync(Initiated(ccid, from: from)), Expect.Answer(ccid));
        Expect.Commands(await app.DeliverAsync(Answered(ccid, from)), Expect.SpeakLater(ccid), Expect.Join("conf-1", ccid));
    }
}
