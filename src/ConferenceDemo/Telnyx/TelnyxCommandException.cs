namespace ConferenceDemo.Telnyx;

public enum TelnyxFailure
{
    /// <summary>TELNYX_API_KEY is not set; nothing was sent.</summary>
    NotConfigured,

    /// <summary>Telnyx answered with an error status and (usually) an errors[] body.</summary>
    Rejected,

    /// <summary>Telnyx did not answer within the command timeout.</summary>
    TimedOut,

    /// <summary>Telnyx rate limited the command and asked for a wait longer than the retry budget holds.</summary>
    RateLimited,

    /// <summary>Telnyx could not be reached (DNS, refused connection, TLS, reset).</summary>
    Unreachable,

    /// <summary>Telnyx answered 2xx with a body we cannot use (empty, not JSON, no id).</summary>
    InvalidResponse,

    /// <summary>The command was refused before sending: an id in it is not a Telnyx id.</summary>
    InvalidRequest,
}

/// <summary>One entry of Telnyx's <c>errors[]</c>. <c>code</c> is a string of digits, e.g. "90018".</summary>
public sealed record TelnyxError(string? Code, string? Title, string? Detail);

/// <summary>A Telnyx command that did not succeed, with what Telnyx said about it.</summary>
public sealed class TelnyxCommandException : Exception
{
    /// <summary>Telnyx's code for a command sent to a call that has already hung up.</summary>
    public const string CallHasEndedCode = "90018";

    public TelnyxCommandException(string command, TelnyxFailure failure, string reason, int? statusCode = null,
        IReadOnlyList<TelnyxError>? errors = null, Exception? inner = null)
        : base($"Telnyx {command} failed: {reason}", inner)
    {
        Command = command;
        Failure = failure;
        Reason = reason;
        StatusCode = statusCode;
        Errors = errors ?? [];
    }

    public string Command { get; }

    public TelnyxFailure Failure { get; }

    /// <summary>One line for a person: Telnyx's title and detail, or what went wrong on the way.</summary>
    public string Reason { get; }

    public int? StatusCode { get; }

    public IReadOnlyList<TelnyxError> Errors { get; }

    /// <summary>422 with code 90018: the leg hung up; the command can never succeed.</summary>
    public bool CallHasEnded => Errors.Any(e => e.Code == CallHasEndedCode);
}
