namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// Two rooms from settings beside the default one: sales (its number <see cref="Sales"/>) with PINs and every option,
/// and support (<see cref="Support"/>) without a PIN.
/// </summary>
public static class TwoRooms
{
    public const string Sales = "+15558880000", Support = "+15557770000";

    /// <summary>Adds both rooms to the settings, and a one-second drain so that a test host stops quickly.</summary>
    public static void Configure(ConferenceDemoApplication app)
    {
        app.Settings["Rooms:sales:Name"] = "Sales weekly";
        app.Settings["Rooms:sales:DialIn"] = Sales;
        app.Settings["Rooms:sales:Pin"] = "1234";
        app.Settings["Rooms:sales:ModeratorPin"] = "9876";
        app.Settings["Rooms:sales:MaxParticipants"] = "10";
        app.Settings["Rooms:sales:Beep"] = "on_enter";
        app.Settings["Rooms:sales:JoinMuted"] = "true";
        app.Settings["Rooms:sales:WaitForModerator"] = "true";
        app.Settings["Rooms:sales:EndWhenModeratorLeaves"] = "true";
        app.Settings["Rooms:sales:HoldAudioUrl"] = "https://example.com/sales-hold.mp3";
        app.Settings["Rooms:support:DialIn"] = Support;
        app.Settings["Processing:DrainTimeoutSeconds"] = "1";
    }
}
