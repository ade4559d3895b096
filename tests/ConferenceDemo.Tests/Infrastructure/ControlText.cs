namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>The texts the demo's GET control routes answer, written out as callers see them.</summary>
public static class ControlText
{
    public const string NoConference = "no participant or no conference exists";
}
