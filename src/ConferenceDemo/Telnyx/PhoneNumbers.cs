using System.Text.RegularExpressions;

namespace ConferenceDemo.Telnyx;

public static partial class PhoneNumbers
{
    /// <summary>"+" then 2 to 15 digits, the first not 0 (ITU-T E.164).</summary>
    public static bool IsE164(string value) => E164().IsMatch(value);

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();
}
