using System.Numerics;
using RAE.Grid.Models.Checkpoints.Pickle;

namespace RAE.Grid.Models.Tests.Checkpoints;

public class UnpicklerTests
{
    /// <summary>Refuses every global: plain-data pickles must not need one.</summary>
    private sealed class NoGlobals : IPickleResolver
    {
        public object ResolveGlobal(string module, string name) => throw new InvalidDataException($"global '{module}.{name}' refused");
        public object? Call(object callable, object?[] args) => throw new InvalidDataException("call refused");
        public object? PersistentLoad(object? pid) => throw new InvalidDataException("persistent id refused");
        public object? Build(object? target, object? state) => throw new InvalidDataException("build refused");
    }

    // CPython 3 pickle.dumps of {'a': 1, 'neg': -5, 'big': 2**40, 'huge': 2**70, 'f': 1.5, 's': 'héllo',
    // 't': (1, 'x', None), 'l': [True, False, 3], 'nested': {'k': [1.25]}, 'shared': None, 'r1': lst, 'r2': lst}, lst = [7, 8]
    private const string Protocol2 = "80027d71002858010000006171014b0158030000006e656771024afbffffff580300000062696771038a0600000000000158040000006875676571048a090000000000000000405801000000667105473ff80000000000005801000000737106580600000068c3a96c6c6f710758010000007471084b0158010000007871094e87710a58010000006c710b5d710c2888894b036558060000006e6573746564710d7d710e58010000006b710f5d7110473ff40000000000006173580600000073686172656471114e5802000000723171125d7113284b074b08655802000000723271146813752e";
    // The same with b'\x00\x01' under 'b', protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, SHORT_BINBYTES).
    private const string Protocol4 = "800495ac000000000000007d94288c0161944b018c036e6567944afbffffff8c03626967948a060000000000018c0468756765948a090000000000000000408c016694473ff80000000000008c0173948c0668c3a96c6c6f948c01629443020001948c0174944b018c0178944e87948c016c945d942888894b03658c066e6573746564947d948c016b945d94473ff400000000000061738c06736861726564944e8c027231945d94284b074b08658c027232946815752e";

    [Theory]
    [InlineData(Protocol2)]
    [InlineData(Protocol4)]
    public void CPython_pickles_of_plain_data_decode_to_the_same_values(string hex)
    {
        var d = Assert.IsType<OrderedDictionary<object, object?>>(Unpickler.Load(Convert.FromHexString(hex), new NoGlobals()));
        Assert.Equal(1L, d["a"]);
        Assert.Equal(-5L, d["neg"]);
        Assert.Equal(1L << 40, d["big"]);
        Assert.Equal(BigInteger.Pow(2, 70), d["huge"]);
        Assert.Equal(1.5, d["f"]);
        Assert.Equal("héllo", d["s"]);
        Assert.Equal(new object?[] { 1L, "x", null }, (object?[])d["t"]!);
        Assert.Equal(new List<object?> { true, false, 3L }, d["l"]);
        var nested = Assert.IsType<OrderedDictionary<object, object?>>(d["nested"]);
        Assert.Equal(new List<object?> { 1.25 }, nested["k"]);
        Assert.Null(d["shared"]);
        Assert.Same(d["r1"], d["r2"]); // the memo keeps shared references shared
        Assert.Equal(new List<object?> { 7L, 8L }, d["r1"]);
        if (d.ContainsKey("b")) Assert.Equal(new byte[] { 0, 1 }, d["b"]);
        // Insertion order is kept, as OrderedDict needs.
        Assert.Equal("a", d.GetAt(0).Key);
    }

    [Fact]
    public void A_refused_global_is_reported_with_its_name_and_offset()
    {
        var p = new PickleBuilder().Proto().Global("os", "system").Stop().ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Unpickler.Load(p, new NoGlobals()));
        Assert.Contains("os.system", e.Message);
        Assert.Contains("offset 2", e.Message);
    }

    [Theory]
    [InlineData((byte)0x69, "INST")]
    [InlineData((byte)0xFF, "0xFF")]
    [InlineData((byte)0x50, "PERSID")]
    public void An_unsupported_opcode_is_named_with_its_offset(byte op, string name)
    {
        var p = new PickleBuilder().Proto().Raw(op).Stop().ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Unpickler.Load(p, new NoGlobals()));
        Assert.Contains(name, e.Message);
        Assert.Contains("offset 2", e.Message);
    }

    [Fact]
    public void A_pickle_without_STOP_is_reported_as_truncated()
    {
        var p = new PickleBuilder().Proto().EmptyDict().ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Unpickler.Load(p, new NoGlobals()));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_huge_string_length_is_refused_before_allocating()
    {
        var p = new PickleBuilder().Proto().Op(PickleOpcode.BINUNICODE8).Raw(BitConverter.GetBytes(long.MaxValue)).Stop().ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Unpickler.Load(p, new NoGlobals()));
        Assert.Contains("runs past the end", e.Message);
    }

    [Fact]
    public void Stack_underflow_and_missing_memo_are_errors_not_crashes()
    {
        Assert.Throws<InvalidDataException>(() => Unpickler.Load(new PickleBuilder().Proto().SetItem().Stop().ToArray(), new NoGlobals()));
        Assert.Throws<InvalidDataException>(() => Unpickler.Load(new PickleBuilder().Proto().Op(PickleOpcode.BINGET).Raw(3).Stop().ToArray(), new NoGlobals()));
        Assert.Throws<InvalidDataException>(() => Unpickler.Load(new PickleBuilder().Proto().Tuple().Stop().ToArray(), new NoGlobals()));
        Assert.Throws<InvalidDataException>(() => Unpickler.Load(new PickleBuilder().Proto().Int(1).Int(2).SetItem().Stop().ToArray(), new NoGlobals()));
    }

    [Fact]
    public void Every_truncation_of_a_valid_pickle_raises_InvalidDataException()
    {
        var full = Convert.FromHexString(Protocol4);
        for (var n = 0; n < full.Length; n++)
            Assert.Throws<InvalidDataException>(() => Unpickler.Load(full[..n], new NoGlobals()));
    }
}
