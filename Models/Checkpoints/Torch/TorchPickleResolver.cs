using RAE.Grid.Models.Checkpoints.Pickle;

namespace RAE.Grid.Models.Checkpoints.Torch;

/// <summary>
/// The allow-list that gives meaning to a <c>torch.save</c> pickle: <c>collections.OrderedDict</c>, the tensor and
/// parameter rebuild functions, <c>torch.*Storage</c> types and <c>torch.device</c>. Any other global is refused by
/// name, like <c>torch.load(weights_only=True)</c> does, so a checkpoint can never run code.
/// </summary>
public sealed class TorchPickleResolver(Func<TorchStorageType, string, string, long, TorchStorageRef> storage)
    : IPickleResolver
{
    /// <summary>A global on the allow-list, kept by name until it is called.</summary>
    private sealed record Global(string Module, string Name)
    {
        public string FullName => $"{Module}.{Name}";
    }

    private static readonly HashSet<string> Allowed =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.Tensor",
        "torch.nn.parameter.Parameter",
        "torch.device",
    ];

    /// <inheritdoc />
    public object ResolveGlobal(string module, string name)
    {
        if (module == "torch" && TorchStorageType.IsStorageName(name)) return TorchStorageType.FromName(name);
        var g = new Global(module, name);
        return Allowed.Contains(g.FullName) ? g
            : throw new InvalidDataException($"global '{g.FullName}' is not on the allow-list of a torch checkpoint " +
                "(only tensors, parameters, storages, OrderedDict and torch.device are read; no code is run)");
    }

    /// <inheritdoc />
    public object? Call(object callable, object?[] args)
    {
        if (callable is not Global g)
            throw new InvalidDataException($"cannot call {Describe(callable)}");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                var d = new OrderedDictionary<object, object?>();
                if (args.Length == 1 && args[0] is List<object?> pairs) // OrderedDict([(k, v), ...])
                    foreach (var p in pairs)
                        if (p is object?[] { Length: 2 } kv && kv[0] is { } k) d[k] = kv[1];
                        else throw new InvalidDataException("OrderedDict item is not a (key, value) pair");
                else if (args.Length != 0) throw new InvalidDataException("OrderedDict called with unexpected arguments");
                return d;
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
                if (args.Length < 4) throw new InvalidDataException($"{g.FullName} needs at least 4 arguments, got {args.Length}");
                return new TorchTensorRef(
                    args[0] as TorchStorageRef ?? throw new InvalidDataException($"{g.FullName}: first argument is {Describe(args[0])}, not a storage"),
                    Int(args[1], "storage_offset"), Ints(args[2], "size"), Ints(args[3], "stride"));
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                // (data, requires_grad, backward_hooks[, state]): a parameter is its data for inference.
                return args.Length >= 1 && args[0] is TorchTensorRef t ? t
                    : throw new InvalidDataException($"{g.FullName}: data is not a tensor");
            case "torch._tensor._rebuild_from_type_v2":
                // (func, new_type, args, state): only plain tensors and parameters are accepted as new_type.
                if (args.Length < 3 || args[0] is not Global f || args[2] is not object?[] inner)
                    throw new InvalidDataException($"{g.FullName}: malformed arguments");
                if (args[1] is not Global { FullName: "torch.Tensor" or "torch.nn.parameter.Parameter" })
                    throw new InvalidDataException($"{g.FullName}: tensor subclass {Describe(args[1])} is not supported");
                return Call(f, inner);
            case "torch.device":
                return args switch
                {
                    [string type] => type,
                    [string type, long index] => $"{type}:{index}",
                    _ => throw new InvalidDataException("torch.device called with unexpected arguments"),
                };
            default:
                throw new InvalidDataException($"{g.FullName} cannot be called");
        }
    }

    /// <inheritdoc />
    public object? PersistentLoad(object? pid)
    {
        // torch.save: ('storage', storage_type, key, location, numel)
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage")
            throw new InvalidDataException($"persistent id {Describe(pid)} is not a torch storage record");
        var type = t[1] as TorchStorageType ?? throw new InvalidDataException($"storage type is {Describe(t[1])}");
        var key = t[2] as string ?? throw new InvalidDataException($"storage key is {Describe(t[2])}");
        var location = t[3] as string ?? throw new InvalidDataException($"storage location is {Describe(t[3])}");
        var numel = Int(t[4], "storage numel");
        return storage(type, key, location, numel);
    }

    /// <inheritdoc />
    public object? Build(object? target, object? state) => target switch
    {
        // state_dict() carries a `_metadata` attribute (module versions): attributes are not items, so drop it.
        OrderedDictionary<object, object?> => target,
        TorchTensorRef when state is null || state is OrderedDictionary<object, object?> { Count: 0 } => target,
        _ => throw new InvalidDataException($"BUILD on {Describe(target)} with state {Describe(state)} is not supported"),
    };

    private static long Int(object? o, string what) => o is long v && v >= 0 ? v
        : throw new InvalidDataException($"{what} is {Describe(o)}, expected a non-negative int");

    private static long[] Ints(object? o, string what) => o is object?[] tuple
        ? tuple.Select(x => x is long v ? v : throw new InvalidDataException($"{what} holds {Describe(x)}, expected ints")).ToArray()
        : throw new InvalidDataException($"{what} is {Describe(o)}, expected a tuple of ints");

    private static string Describe(object? o) => o switch
    {
        null => "None",
        Global g => g.FullName,
        string s => $"'{s}'",
        long or double or bool => o.ToString()!,
        _ => o.GetType().Name,
    };
}
