using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// The control routes' credentials, compared in constant time. With neither CONTROL_PASSWORD nor CONTROL_TOKEN set,
/// a random password is made at start, so a fresh server is usable and still closed.
/// </summary>
public sealed class ControlCredentials
{
    private readonly byte[] _user;
    private readonly byte[] _password;
    private readonly byte[]? _token;

    public ControlCredentials(IOptions<ControlOptions> options)
    {
        var settings = options.Value;
        User = settings.User;
        GeneratedPassword = string.IsNullOrEmpty(settings.Password) && string.IsNullOrEmpty(settings.Token)
            ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_')
            : null;
        _user = Hash(settings.User);
        _password = string.IsNullOrEmpty(settings.Password) ? Hash(GeneratedPassword ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))) : Hash(settings.Password);
        _token = string.IsNullOrEmpty(settings.Token) ? null : Hash(settings.Token);
    }

    public string User { get; }

    /// <summary>The password made at start when none was configured; printed once to the console, nowhere else.</summary>
    public string? GeneratedPassword { get; }

    public bool CheckBasic(string user, string password) =>
        // Both compared, always: no early exit that would tell which one was wrong.
        CryptographicOperations.FixedTimeEquals(Hash(user), _user) & CryptographicOperations.FixedTimeEquals(Hash(password), _password);

    public bool CheckToken(string token) => _token is not null && CryptographicOperations.FixedTimeEquals(Hash(token), _token);

    // Hashing first gives equal lengths, so the comparison's time says nothing about the secret's length.
    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
