namespace ConferenceDemo.Telnyx;

public static class PhoneNumbers
{
    /// <summary>
    /// Exactly "+" then 2 to 15 digits, the first not 0 (ITU-T E.164): nothing before or after, not even a space or
    /// a line break. Checked character by character, because a regex "$" would also match before a final newline.
    /// </summary>
    public static bool IsE164(string? value)
    {
        if (value is null || value.Length is < 3 or > 16 || value[0] != '+' || value[1] is < '1' or > '9')
        {
            return false;
        }

        for (var i = 2; i < value.Length; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
