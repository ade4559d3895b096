using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ConferenceDemo.Rooms;

/// <summary>
/// Command ids made from the room's epoch, the version a decision produces, and the command's place in it: the same
/// decision always gives the same ids (so a re-sent command keeps its command_id), and no two decisions share one.
/// </summary>
public static class CommandIds
{
    public static string For(Guid epoch, long version, int index)
    {
        Span<byte> input = stackalloc byte[16 + 8 + 4];
        epoch.TryWriteBytes(input);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], version);
        BinaryPrimitives.WriteInt32BigEndian(input[24..], index);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);

        // Shaped as a version 8 (custom) RFC 9562 UUID, as Telnyx's command_id examples are UUIDs.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString();
    }
}
