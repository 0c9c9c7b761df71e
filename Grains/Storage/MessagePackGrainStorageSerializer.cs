using MessagePack;
using Orleans.Storage;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Grain state as MessagePack (LZ4-compressed): a 10,000-item job's state stays a few hundred KB and fast to write,
/// where the default JSON serializer would make it several MB. Used by both the local file store and Redis.
/// </summary>
public sealed class MessagePackGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4BlockArray).WithSecurity(MessagePackSecurity.UntrustedData);

    public BinaryData Serialize<T>(T input) => new(MessagePackSerializer.Serialize(input, Options));

    public T Deserialize<T>(BinaryData input) => MessagePackSerializer.Deserialize<T>(input.ToMemory(), Options);
}
