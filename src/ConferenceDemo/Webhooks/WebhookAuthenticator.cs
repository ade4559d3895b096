using Microsoft.Extensions.Options;

namespace ConferenceDemo.Webhooks;

/// <summary>The answer to "may this webhook reach the conference logic?": null when yes, else the 401 body.</summary>
public sealed partial class WebhookAuthenticator
{
    public const string NotConfigured = "webhook verification not configured";

    private readonly WebhookSignatureVerifier? _verifier;
    private readonly bool _verify;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebhookAuthenticator> _logger;
    private readonly WebhookRejections _rejections;
    private int _warnedUnverified;

    public WebhookAuthenticator(IOptions<WebhookOptions> options, TimeProvider clock, WebhookRejections rejections,
        ILogger<WebhookAuthenticator> logger)
    {
        var settings = options.Value;
        _verify = settings.Verify;
        _clock = clock;
        _rejections = rejections;
        _logger = logger;
        if (!string.IsNullOrWhiteSpace(settings.PublicKey) && WebhookPublicKey.TryParse(settings.PublicKey, out var key, out _))
        {
            _verifier = new WebhookSignatureVerifier(key, TimeSpan.FromSeconds(settings.ToleranceSeconds));
        }
    }

    /// <summary>Says at start how webhooks will be treated, so a fail-closed server is not a mystery.</summary>
    public void ReportMode()
    {
        if (!_verify)
        {
            Log.VerificationOff(_logger);
        }
        else if (_verifier is null)
        {
            Log.NoKey(_logger);
        }
    }

    /// <summary>
    /// Null when the webhook is authentic (or checks are switched off); otherwise the rejection text, counted in
    /// <see cref="WebhookRejections"/> under the sender's address <paramref name="client"/>.
    /// </summary>
    public string? Check(string? signature, string? timestamp, ReadOnlySpan<byte> body, string client = "unknown")
    {
        if (!_verify)
        {
            if (Interlocked.Exchange(ref _warnedUnverified, 1) == 0)
            {
                Log.FirstUnverified(_logger);
            }

            return null;
        }

        if (_verifier is null)
        {
            _rejections.Record(NotConfigured, "TELNYX_PUBLIC_KEY is not set, so no webhook can be verified. " + WebhookPublicKey.WhereToFindIt, client);
            return NotConfigured;
        }

        var outcome = _verifier.Verify(signature, timestamp, body, _clock.GetUtcNow());
        if (outcome == WebhookVerificationOutcome.Valid)
        {
            return null;
        }

        var text = $"invalid signature: {WebhookSignatureVerifier.Describe(outcome)}";
        _rejections.Record(text, WebhookSignatureVerifier.Remedy(outcome), client);
        return text;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1010, EventName = "WebhookVerificationOff", Level = LogLevel.Warning, Message = "TELNYX_VERIFY_WEBHOOKS=false: webhook signatures are NOT checked; anyone who finds the webhook URL can drive this server")]
        public static partial void VerificationOff(ILogger logger);

        [LoggerMessage(EventId = 1011, EventName = "WebhookUnverifiedAccepted", Level = LogLevel.Warning, Message = "Accepting an unverified webhook (TELNYX_VERIFY_WEBHOOKS=false)")]
        public static partial void FirstUnverified(ILogger logger);

        [LoggerMessage(EventId = 1012, EventName = "WebhookPublicKeyMissing", Level = LogLevel.Warning, Message = "TELNYX_PUBLIC_KEY is not set: every webhook will be rejected with 401 until it is. " + WebhookPublicKey.WhereToFindIt)]
        public static partial void NoKey(ILogger logger);
    }
}
