using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ConferenceDemo.Simulator;

/// <summary>
/// The audio the simulator serves: a short tune (hold music for a first run) and the recordings it "makes", both
/// generated in code as 8 kHz 16-bit mono WAV. Recording links are fresh on every look-up and expire after 10
/// minutes, like Telnyx's pre-signed download links.
/// </summary>
public sealed class SimulatorMedia(Func<Uri> baseAddress, TimeProvider time)
{
    public const string TunePath = "/simulator/media/tune.wav";
    public const string RecordingsPath = "/simulator/media/recordings";
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(10);
    private const int SampleRate = 8000;

    private static readonly Lazy<byte[]> TuneBytes = new(() => Wav(TuneSamples()));
    private static readonly Lazy<byte[]> RecordingBytes = new(() => Wav(Tone(440, 0.6, 0.3).Concat(Tone(660, 0.4, 0.3))));
    private readonly ConcurrentDictionary<string, (string RecordingId, DateTimeOffset Expires)> _links = new(StringComparer.Ordinal);

    /// <summary>The tune's absolute URL, the same for the whole run.</summary>
    public string TuneUrl => new Uri(baseAddress(), TunePath).ToString();

    public static byte[] Tune() => TuneBytes.Value;

    public static byte[] Recording() => RecordingBytes.Value;

    /// <summary>Fresh links to a recording's files ({mp3, wav}), valid for <see cref="LinkLifetime"/>.</summary>
    public (string Mp3, string Wav, DateTimeOffset Expires) NewRecordingLinks(string recordingId)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var expires = time.GetUtcNow() + LinkLifetime;
        _links[token] = (recordingId, expires);
        var root = baseAddress();
        return (new Uri(root, $"{RecordingsPath}/{token}.mp3").ToString(), new Uri(root, $"{RecordingsPath}/{token}.wav").ToString(), expires);
    }

    /// <summary>The recording a link points at, or null when the link is unknown or has expired.</summary>
    public string? Resolve(string token)
    {
        if (!_links.TryGetValue(token, out var link))
        {
            return null;
        }

        if (time.GetUtcNow() > link.Expires)
        {
            _links.TryRemove(token, out _);
            return null;
        }

        return link.RecordingId;
    }

    private static IEnumerable<short> TuneSamples()
    {
        // A short rising arpeggio and back down: C5 E5 G5 C6 G5 E5, a third of a second each.
        double[] notes = [523.25, 659.25, 783.99, 1046.5, 783.99, 659.25];
        return notes.SelectMany(frequency => Tone(frequency, 0.33, 0.25));
    }

    private static IEnumerable<short> Tone(double frequency, double seconds, double volume)
    {
        var count = (int)(SampleRate * seconds);
        var fade = Math.Min(400, count / 4);
        for (var i = 0; i < count; i++)
        {
            var envelope = Math.Min(1.0, Math.Min(i, count - 1 - i) / (double)fade);
            yield return (short)(Math.Sin(2 * Math.PI * frequency * i / SampleRate) * volume * envelope * short.MaxValue);
        }
    }

    private static byte[] Wav(IEnumerable<short> samples)
    {
        var pcm = samples.ToArray();
        using var stream = new MemoryStream(44 + (pcm.Length * 2));
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + (pcm.Length * 2));
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);              // fmt chunk size
        writer.Write((short)1);        // PCM
        writer.Write((short)1);        // mono
        writer.Write(SampleRate);
        writer.Write(SampleRate * 2);  // bytes per second
        writer.Write((short)2);        // block align
        writer.Write((short)16);       // bits per sample
        writer.Write("data"u8);
        writer.Write(pcm.Length * 2);
        foreach (var sample in pcm)
        {
            writer.Write(sample);
        }

        writer.Flush();
        return stream.ToArray();
    }
}
