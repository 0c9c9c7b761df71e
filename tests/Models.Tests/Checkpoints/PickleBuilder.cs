using System.Text;
using RAE.Grid.Models.Checkpoints.Pickle;

namespace RAE.Grid.Models.Tests.Checkpoints;

/// <summary>Writes pickle opcodes by hand (protocol 2, as torch.save does), to build well-formed and malformed checkpoints.</summary>
public sealed class PickleBuilder
{
    private readonly List<byte> _b = new();

    public byte[] ToArray() => _b.ToArray();

    public PickleBuilder Op(PickleOpcode op) { _b.Add((byte)op); return this; }
    public PickleBuilder Raw(params byte[] bytes) { _b.AddRange(bytes); return this; }
    public PickleBuilder Proto(byte p = 2) => Op(PickleOpcode.PROTO).Raw(p);
    public PickleBuilder Stop() => Op(PickleOpcode.STOP);
    public PickleBuilder Mark() => Op(PickleOpcode.MARK);
    public PickleBuilder None() => Op(PickleOpcode.NONE);
    public PickleBuilder EmptyDict() => Op(PickleOpcode.EMPTY_DICT);
    public PickleBuilder SetItem() => Op(PickleOpcode.SETITEM);
    public PickleBuilder SetItems() => Op(PickleOpcode.SETITEMS);
    public PickleBuilder Tuple() => Op(PickleOpcode.TUPLE);
    public PickleBuilder Reduce() => Op(PickleOpcode.REDUCE);

    public PickleBuilder Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op(PickleOpcode.BINUNICODE).Raw(BitConverter.GetBytes(bytes.Length));
        return Raw(bytes);
    }

    public PickleBuilder Int(long v)
    {
        if (v is >= 0 and < 256) return Op(PickleOpcode.BININT1).Raw((byte)v);
        if (v is >= int.MinValue and <= int.MaxValue) return Op(PickleOpcode.BININT).Raw(BitConverter.GetBytes((int)v));
        return Op(PickleOpcode.LONG1).Raw(8).Raw(BitConverter.GetBytes(v));
    }

    public PickleBuilder Global(string module, string name) =>
        Op(PickleOpcode.GLOBAL).Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>An empty <c>collections.OrderedDict()</c>, as torch writes for backward hooks.</summary>
    public PickleBuilder OrderedDict() => Global("collections", "OrderedDict").Op(PickleOpcode.EMPTY_TUPLE).Reduce();

    /// <summary><c>_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())</c>.</summary>
    public PickleBuilder Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple()
            .Op(PickleOpcode.BINPERSID);
        Int(offset).IntTuple(size).IntTuple(stride).Op(PickleOpcode.NEWFALSE).OrderedDict();
        return Tuple().Reduce();
    }
}
