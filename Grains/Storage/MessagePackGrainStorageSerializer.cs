using MessagePack;
using MessagePack.Resolvers;
using Orleans.Storage;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Grain state as MessagePack (LZ4-compressed): a 10,000-item job's state stays a few hundred KB and fast to write,
/// where the default JSON serializer would make it several MB. Used by both the local file store and Redis. State
/// classes are annotated (<c>[MessagePackObject]</c>, integer keys); contract records kept in state as they are
/// (e.g. <see cref="Contracts.GenerateSpec"/>, which cannot carry MessagePack attributes: the contracts take no
/// serializer dependency) are written contractless, as maps keyed by property name.
/// </summary>
public sealed class MessagePackGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance)
            .WithCompression(MessagePackCompression.Lz4BlockArray).WithSecurity(MessagePackSecurity.UntrustedData);

    public BinaryData Serialize<T>(T? input)
    {
        var bytes = MessagePackSerializer.Serialize(input, Options);
        StateMetrics.Written<T>(bytes.LongLength);
        return new(bytes);
    }

    public T Deserialize<T>(BinaryData input) => MessagePackSerializer.Deserialize<T>(input.ToMemory(), Options);
}
