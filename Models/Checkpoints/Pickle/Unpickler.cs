using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace RAE.Grid.Models.Checkpoints.Pickle;

/// <summary>
/// A minimal pickle virtual machine: the opcodes of protocols 2-5 that <c>torch.save</c> (torch 1.13-2.x) emits.
/// It builds plain data only: dicts are <see cref="OrderedDictionary{TKey,TValue}"/> (insertion order kept, as in
/// <c>OrderedDict</c>), lists <see cref="List{T}"/>, tuples <c>object?[]</c>, None <c>null</c>, ints <see cref="long"/>
/// (or <see cref="BigInteger"/> when wider), floats <see cref="double"/>, str <see cref="string"/>, bytes
/// <c>byte[]</c>. Everything else (globals, calls, persistent ids, BUILD) is delegated to an
/// <see cref="IPickleResolver"/>, so no code named by the pickle is ever executed.
/// </summary>
/// <remarks>
/// Every length is checked against the bytes that remain before anything is allocated, so a corrupt or hostile
/// pickle costs at most linear time and memory in its own size. Errors are <see cref="InvalidDataException"/>s
/// naming the opcode and its byte offset.
/// </remarks>
public sealed class Unpickler
{
    private readonly byte[] _data;
    private readonly IPickleResolver _resolver;
    private readonly List<object?> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;
    private int _opStart;
    private PickleOpcode _op;

    /// <summary>Prepares to read <paramref name="data"/> (a whole pickle) with <paramref name="resolver"/>.</summary>
    public Unpickler(byte[] data, IPickleResolver resolver)
    {
        _data = data;
        _resolver = resolver;
    }

    /// <summary>Convenience: unpickles <paramref name="data"/> and returns the top-level object.</summary>
    public static object? Load(byte[] data, IPickleResolver resolver) => new Unpickler(data, resolver).Load();

    /// <summary>Runs the machine to STOP and returns the object it left.</summary>
    public object? Load()
    {
        while (true)
        {
            _opStart = _pos;
            if (_pos >= _data.Length) throw Bad("pickle ends without a STOP opcode (truncated?)");
            _op = (PickleOpcode)_data[_pos++];
            try
            {
                if (Step()) break;
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith("pickle", StringComparison.Ordinal))
            {
                // A resolver refused something: say where in the pickle it happened.
                throw Bad(e.Message, e);
            }
        }
        return _lastStopped;
    }

    private object? _lastStopped;

    /// <summary>Executes one opcode; true at STOP.</summary>
    private bool Step()
    {
        switch (_op)
        {
            case PickleOpcode.PROTO:
                var proto = ReadByte();
                if (proto > 5) throw Bad($"unsupported pickle protocol {proto}");
                break;
            case PickleOpcode.FRAME:
                ReadBytes(8); // frame length: a hint for buffered readers, not needed when the whole pickle is in memory
                break;
            case PickleOpcode.STOP:
                _lastStopped = Pop();
                return true;

            case PickleOpcode.MARK: _marks.Add(_stack.Count); break;
            case PickleOpcode.POP: Pop(); break;
            case PickleOpcode.POP_MARK: PopMark(); break;
            case PickleOpcode.DUP: Push(Peek()); break;

            case PickleOpcode.NONE: Push(null); break;
            case PickleOpcode.NEWTRUE: Push(true); break;
            case PickleOpcode.NEWFALSE: Push(false); break;
            case PickleOpcode.BININT: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
            case PickleOpcode.BININT1: Push((long)ReadByte()); break;
            case PickleOpcode.BININT2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
            case PickleOpcode.LONG1: Push(ReadLong(ReadByte())); break;
            case PickleOpcode.LONG4: Push(ReadLong(ReadLength(4))); break;
            case PickleOpcode.BINFLOAT: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;

            case PickleOpcode.SHORT_BINUNICODE: Push(ReadUtf8(ReadByte())); break;
            case PickleOpcode.BINUNICODE: Push(ReadUtf8(ReadLength(4))); break;
            case PickleOpcode.BINUNICODE8: Push(ReadUtf8(ReadLength(8))); break;
            // Python 2 str: Python 3 reads it as text (ASCII by default); latin-1 keeps every byte.
            case PickleOpcode.SHORT_BINSTRING: Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;
            case PickleOpcode.BINSTRING: Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break;
            case PickleOpcode.SHORT_BINBYTES: Push(ReadBytes(ReadByte()).ToArray()); break;
            case PickleOpcode.BINBYTES: Push(ReadBytes(ReadLength(4)).ToArray()); break;
            case PickleOpcode.BINBYTES8: Push(ReadBytes(ReadLength(8)).ToArray()); break;
            case PickleOpcode.BYTEARRAY8: Push(ReadBytes(ReadLength(8)).ToArray()); break;

            case PickleOpcode.EMPTY_TUPLE: Push(Array.Empty<object?>()); break;
            case PickleOpcode.TUPLE: Push(PopMark().ToArray()); break;
            case PickleOpcode.TUPLE1: Push(PopN(1)); break;
            case PickleOpcode.TUPLE2: Push(PopN(2)); break;
            case PickleOpcode.TUPLE3: Push(PopN(3)); break;
            case PickleOpcode.EMPTY_LIST: Push(new List<object?>()); break;
            case PickleOpcode.LIST: Push(PopMark()); break;
            case PickleOpcode.APPEND:
                {
                    var item = Pop();
                    As<List<object?>>(Peek(), "APPEND target").Add(item);
                    break;
                }
            case PickleOpcode.APPENDS:
                {
                    var items = PopMark();
                    As<List<object?>>(Peek(), "APPENDS target").AddRange(items);
                    break;
                }
            case PickleOpcode.EMPTY_DICT: Push(new OrderedDictionary<object, object?>()); break;
            case PickleOpcode.DICT:
                {
                    var d = new OrderedDictionary<object, object?>();
                    SetItems(d, PopMark());
                    Push(d);
                    break;
                }
            case PickleOpcode.SETITEM:
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(As<OrderedDictionary<object, object?>>(Peek(), "SETITEM target"), [key, value]);
                    break;
                }
            case PickleOpcode.SETITEMS:
                {
                    var items = PopMark();
                    SetItems(As<OrderedDictionary<object, object?>>(Peek(), "SETITEMS target"), items);
                    break;
                }

            case PickleOpcode.BINPUT: _memo[ReadByte()] = Peek(); break;
            case PickleOpcode.LONG_BINPUT: _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break;
            case PickleOpcode.MEMOIZE: _memo[_memo.Count] = Peek(); break;
            case PickleOpcode.BINGET: Push(MemoGet(ReadByte())); break;
            case PickleOpcode.LONG_BINGET: Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;

            case PickleOpcode.GLOBAL:
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(_resolver.ResolveGlobal(module, name));
                    break;
                }
            case PickleOpcode.STACK_GLOBAL:
                {
                    var name = As<string>(Pop(), "STACK_GLOBAL name");
                    var module = As<string>(Pop(), "STACK_GLOBAL module");
                    Push(_resolver.ResolveGlobal(module, name));
                    break;
                }
            case PickleOpcode.REDUCE:
                {
                    var args = As<object?[]>(Pop(), "REDUCE arguments");
                    var callable = Pop() ?? throw Bad("REDUCE of None");
                    Push(_resolver.Call(callable, args));
                    break;
                }
            case PickleOpcode.NEWOBJ:
                {
                    var args = As<object?[]>(Pop(), "NEWOBJ arguments");
                    var cls = Pop() ?? throw Bad("NEWOBJ of None");
                    Push(_resolver.Call(cls, args));
                    break;
                }
            case PickleOpcode.BUILD:
                {
                    var state = Pop();
                    var target = Pop();
                    Push(_resolver.Build(target, state));
                    break;
                }
            case PickleOpcode.BINPERSID: Push(_resolver.PersistentLoad(Pop())); break;

            default:
                var name2 = Enum.IsDefined(_op) ? _op.ToString() : "unknown";
                throw Bad($"unsupported opcode 0x{(byte)_op:X2} ({name2})");
        }
        return false;
    }

    private static void SetItems(OrderedDictionary<object, object?> d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("pickle: odd number of items for a dict");
        for (var i = 0; i < items.Count; i += 2)
            d[items[i] ?? throw new InvalidDataException("pickle: dict key None is not supported")] = items[i + 1];
    }

    private InvalidDataException Bad(string why, Exception? inner = null) =>
        new($"pickle: {why} (opcode {(Enum.IsDefined(_op) ? _op.ToString() : $"0x{(byte)_op:X2}")} at offset {_opStart})", inner);

    private T As<T>(object? o, string what) => o is T t ? t
        : throw Bad($"{what} is {(o is null ? "None" : o.GetType().Name)}, expected {typeof(T).Name}");

    private void Push(object? o) => _stack.Add(o);

    private object? Peek() =>
        _stack.Count > (_marks.Count > 0 ? _marks[^1] : 0) ? _stack[^1] : throw Bad("stack underflow");

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks[^1])) throw Bad("stack underflow");
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return o;
    }

    private object?[] PopN(int n)
    {
        var r = new object?[n];
        for (var i = n - 1; i >= 0; i--) r[i] = Pop();
        return r;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Bad("no MARK on the stack");
        var m = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(m, _stack.Count - m);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var o) ? o : throw Bad($"memo slot {index} was never stored");

    private byte ReadByte() => ReadBytes(1)[0];

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || n > _data.Length - _pos)
            throw Bad($"needs {n} bytes but only {_data.Length - _pos} remain (truncated?)");
        var s = new ReadOnlySpan<byte>(_data, _pos, (int)n);
        _pos += (int)n;
        return s;
    }

    /// <summary>Reads a 4- or 8-byte little-endian length and checks it against the remaining bytes.</summary>
    private int ReadLength(int width)
    {
        var raw = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))
            : BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        if (raw > (ulong)(_data.Length - _pos))
            throw Bad($"length {raw} runs past the end of the {_data.Length}-byte pickle (truncated?)");
        return (int)raw;
    }

    private object ReadLong(int n)
    {
        var v = new BigInteger(ReadBytes(n), isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    private string ReadUtf8(int n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(n)); }
        catch (DecoderFallbackException) { throw Bad("string is not valid UTF-8"); }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Bad("GLOBAL name has no line end (truncated?)");
        var s = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }
}
